"""Import pages: upload → preview → confirm → summary; fix and resubmit; error report safe to open."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase

from perfloop.imports.models import ImportBatch, ImportFile, MappingProfile, QuarantinedRow
from perfloop.imports.services import import_file
from perfloop.imports.tests.data import DEALS_CN_HEADER, OWN_DEALS_SPEC, csv_text
from perfloop.metrics.models import MonthlyFact

pytestmark = pytest.mark.django_db

ROWS = [
    ["O1", "李明", '=HYPERLINK("http://evil","x")', "赢单", "2025-03-05", "1"],
    *[[f"O{i}", "陈静", f"客户{i}", "输单", "2025-03-06", ""] for i in range(2, 10)],
    ["O10", "李明", "乙公司", "赢单", "2025-03-07", "2"],
]


def _applied(actor, rows=ROWS, *, header=DEALS_CN_HEADER):
    """March's deals file (Chinese CRM preset) imported by ``actor`` (None: the system)."""
    return import_file(
        actor=actor,
        source="crm",
        profile="crm-deals-cn",
        first="2025-03",
        path_or_bytes=csv_text([header, *rows]).encode(),
    )


@pytest.fixture
def hr(hrbp):
    hrbp.scope_unit = None
    hrbp.save()
    return hrbp


def test_upload_preview_confirm_and_summary(
    client, hr, rep, other_team_rep, django_capture_on_commit_callbacks
):
    client.force_login(hr)
    assert client.get("/imports/").status_code == 200
    upload = client.post(
        "/imports/upload/",
        {
            "source": "crm",
            "profile": "crm-deals-cn",
            "first": "2025-03",
            "last": "2025-03",
            "file": SimpleUploadedFile("deals.csv", csv_text([DEALS_CN_HEADER, *ROWS]).encode("gbk")),
        },
    )
    assert upload.status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.RECEIVED
    preview = client.get(upload["Location"]).content.decode()
    assert "成交金额（万元）" in preview
    assert "owner" in preview
    assert "电子表格公式" in preview  # the cell's problem, in the page's language
    assert "<th>单位</th>" in preview  # the amount's unit, not an organisation unit
    assert ">记录编号" in preview  # fields and types in words, their codes only as tooltips
    assert ">金额</td>" in preview
    assert not MonthlyFact.objects.exists()  # nothing applied before the confirmation
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(f"/imports/batches/{batch.pk}/confirm/")
    assert confirmed.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED
    progress = client.get(f"/imports/batches/{batch.pk}/progress/", headers={"HX-Request": "true"})
    assert progress["HX-Refresh"] == "true"
    page = client.get(f"/imports/batches/{batch.pk}/").content.decode()
    assert "formula_in_cell" in page
    assert (
        MonthlyFact.objects.filter(employee=rep.employee, kpi__code="revenue").exists() is False
    )  # withheld


def test_pages_need_no_inline_script_or_style(client, hr, rep, other_team_rep):
    outcome = _applied(hr)
    client.force_login(hr)
    for url in ("/imports/", f"/imports/batches/{outcome.batch.pk}/"):
        html = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url
        assert " style=" not in html, url


def test_the_error_report_cannot_run_formulas(client, hr, rep, other_team_rep):
    outcome = _applied(hr)
    client.force_login(hr)
    answer = client.get(f"/imports/batches/{outcome.batch.pk}/errors.xlsx")
    assert answer.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # no formula cell anywhere
    import fastexcel

    grid = fastexcel.read_excel(answer.content).load_sheet(0, header_row=None).to_polars()
    cells = [str(value) for row in grid.iter_rows() for value in row if value is not None]
    assert '\'=HYPERLINK("http://evil","x")' in cells
    assert not any(cell.startswith("=") for cell in cells)
    csv_answer = client.get(f"/imports/batches/{outcome.batch.pk}/rows.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_answer
    assert ",=HYPERLINK" not in csv_answer


def test_fix_and_resubmit_through_the_pages(client, hr, rep, other_team_rep):
    outcome = _applied(hr)
    row = outcome.batch.quarantined_rows.get()
    client.force_login(hr)
    form = client.get(f"/imports/batches/{outcome.batch.pk}/rows/{row.pk}/fix/")
    assert form.status_code == 200
    fields = {f"c{index}": value for index, value in enumerate(ROWS[0])}
    fields["c2"] = "甲公司"
    assert client.post(f"/imports/batches/{outcome.batch.pk}/rows/{row.pk}/fix/", fields).status_code == 302
    answer = client.post(f"/imports/batches/{outcome.batch.pk}/resubmit/")
    assert answer.status_code == 302
    row.refresh_from_db()
    assert row.state == QuarantinedRow.State.RESUBMITTED
    assert MonthlyFact.objects.get(employee=rep.employee, kpi__code="revenue").value == 30000


@pytest.mark.parametrize(
    "persona", ["rep", "other_team_rep", "manager", "mentor", "legal", "recruiter", "executive", "sysadmin"]
)
def test_only_hr_sees_the_import_pages(client, everyone, persona):
    outcome = _applied(None)
    row = outcome.batch.quarantined_rows.first()
    client.force_login(everyone[persona])
    for url in (
        "/imports/",
        f"/imports/batches/{outcome.batch.pk}/",
        f"/imports/batches/{outcome.batch.pk}/errors.xlsx",
        f"/imports/batches/{outcome.batch.pk}/rows/{row.pk}/fix/",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/imports/batches/{outcome.batch.pk}/resubmit/").status_code == 403
    assert client.post(f"/imports/batches/{outcome.batch.pk}/discard/").status_code == 403


def test_a_scoped_hrbp_does_not_see_another_importers_batch(client, hrbp, rep, other_team_rep):
    outcome = _applied(None)
    client.force_login(hrbp)
    assert client.get(f"/imports/batches/{outcome.batch.pk}/").status_code == 404
    assert client.get("/imports/").content.decode().count("/imports/batches/") == 0


def _upload(client, content: bytes, name: str = "deals.csv", *, run_check: bool = True):
    """Upload through the form; the whole-file check it queues runs at once (the embedded default), unless
    ``run_check`` is off (the worker has not reached it yet)."""
    form = {
        "source": "crm",
        "profile": "crm-deals-cn",
        "first": "2025-03",
        "last": "2025-03",
        "file": SimpleUploadedFile(name, content),
    }
    if not run_check:
        return client.post("/imports/upload/", form)
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post("/imports/upload/", form)


def test_uploading_a_file_already_applied_keeps_nothing_and_says_so(client, hr, rep, other_team_rep):
    content = csv_text([DEALS_CN_HEADER, *ROWS]).encode()
    applied = import_file(
        actor=hr, source="crm", profile="crm-deals-cn", first="2025-03", path_or_bytes=content
    )
    client.force_login(hr)
    answer = _upload(client, content)
    assert answer.status_code == 302
    assert answer["Location"] == f"/imports/batches/{applied.batch.pk}/"
    assert ImportBatch.objects.count() == 1  # no second batch waiting for a confirmation that changes nothing
    page = client.get(answer["Location"]).content.decode()
    assert f"#{applied.batch.pk}" in page
    assert "没有任何改变" in page  # said in the page's language


def test_a_file_that_cannot_be_read_is_rejected_at_once_with_its_reason(client, hr):
    client.force_login(hr)
    answer = _upload(client, b"\x00\x01\x02PK\x03\x04" * 200, name="deals.csv")
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.REJECTED  # not left "received" for ever
    assert batch.error_code == "binary_file"
    assert not ImportFile.objects.filter(batch=batch).exists()  # nothing kept to confirm
    page = client.get(answer["Location"]).content.decode()
    assert "导入此文件" not in page
    assert "Import this file" not in page
    assert "二进制" in page  # the reason, in the page's language
    assert "binary_file" not in re.sub(r'data-code="[^"]*"', "", page)  # no internal code as text


def test_a_correction_that_is_still_wrong_is_refused_with_its_problem(client, hr, rep, other_team_rep):
    outcome = _applied(hr)
    row = outcome.batch.quarantined_rows.get()
    client.force_login(hr)
    fields = {f"c{index}": value for index, value in enumerate(ROWS[0])}
    fields["c2"] = "甲公司"
    fields["c5"] = "很多"  # the amount now unreadable
    answer = client.post(f"/imports/batches/{outcome.batch.pk}/rows/{row.pk}/fix/", fields)
    assert answer.status_code == 200
    assert "成交金额（万元）" in answer.content.decode()
    row.refresh_from_db()
    assert row.state == QuarantinedRow.State.OPEN
    assert not row.fixed_values
    fields["c5"] = "1"
    assert client.post(f"/imports/batches/{outcome.batch.pk}/rows/{row.pk}/fix/", fields).status_code == 302
    page = client.get(f"/imports/batches/{outcome.batch.pk}/").content.decode()
    assert "→ <strong>甲公司</strong>" in page  # the correction is shown beside the original


def test_a_restated_zero_is_shown_as_zero_not_as_missing(client, hr, rep, other_team_rep):
    _applied(hr)
    corrected = [list(row) for row in ROWS]
    corrected[1] = ["O2", "陈静", "客户2", "赢单", "2025-03-06", "1"]  # 陈静's month: 0 → 10,000
    restated = _applied(hr, corrected)
    client.force_login(hr)
    page = client.get(f"/imports/batches/{restated.batch.pk}/").content.decode()
    row = re.search(r"<tr><td>陈静</td><td>2025-03</td><td>月度销售额</td>(.*?)</tr>", page, re.S)
    assert row is not None  # the KPI by its name, not its code
    assert re.findall(r'<td class="num">([^<]*)</td>', row.group(1)) == ["0", "10,000"]


def test_an_hrbp_finds_the_imports_in_the_menu_and_a_manager_does_not(client, hr, manager):
    client.force_login(hr)
    assert 'href="/imports/"' in client.get("/", follow=True).content.decode()
    client.force_login(manager)
    assert 'href="/imports/"' not in client.get("/", follow=True).content.decode()


def test_the_preview_flags_a_person_nobody_knows(client, hr, rep, other_team_rep):
    client.force_login(hr)
    rows = [["O1", "王不存在", "甲公司", "赢单", "2025-03-05", "1"], *ROWS[1:]]
    answer = _upload(client, csv_text([DEALS_CN_HEADER, *rows]).encode())
    preview = client.get(answer["Location"]).content.decode()
    row = re.search(r'<tr class="imports-bad">\s*<td class="num">2</td>(.*?)</tr>', preview, re.S)
    assert row is not None
    assert "负责人：没有与 王不存在 匹配的员工" in row.group(
        1
    )  # the owner column's problem, before anything is imported


def test_the_upload_form_offers_the_hr_system_and_the_roster_to_hr_of_the_whole_tree(client, hr):
    client.force_login(hr)
    form = client.get("/imports/").content.decode()
    assert 'value="hris"' in form  # the HR system is offered before its first file
    assert 'value="hr-roster-cn"' in form


def test_an_hrbp_of_one_part_of_the_tree_is_not_offered_the_roster(client, hrbp):
    client.force_login(hrbp)
    form = client.get("/imports/").content.decode()
    assert 'value="hr-roster-cn"' not in form
    assert 'value="crm-deals-cn"' in form


def test_a_profile_that_does_not_fit_the_source_is_refused_in_the_page_language(client, hr):
    client.force_login(hr)
    answer = client.post(
        "/imports/upload/",
        {
            "source": "finance",
            "profile": "crm-deals-cn",
            "file": SimpleUploadedFile("deals.csv", csv_text([DEALS_CN_HEADER, *ROWS]).encode()),
        },
    )
    assert answer.status_code == 400
    assert "does not provide" not in answer.content.decode()
    assert "商机" in answer.content.decode()  # the kind of file in words, not the code "deals"
    assert not ImportBatch.objects.exists()


def test_switching_language_on_a_refused_upload_goes_back_to_the_form(client, hr):
    client.force_login(hr)
    answer = client.get("/imports/upload/")
    assert answer.status_code == 302
    assert answer["Location"] == "/imports/"


def test_a_file_can_be_discarded_after_its_preview(client, hr, rep, other_team_rep):
    client.force_login(hr)
    answer = _upload(client, csv_text([DEALS_CN_HEADER, *ROWS]).encode())
    batch = ImportBatch.objects.get()
    assert "/discard/" in client.get(answer["Location"]).content.decode()
    assert client.post(f"/imports/batches/{batch.pk}/discard/").status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DISCARDED
    assert not ImportFile.objects.filter(batch=batch).exists()  # the bytes are gone
    assert client.post(f"/imports/batches/{batch.pk}/confirm/").status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DISCARDED  # a discarded file cannot be imported after all
    assert not MonthlyFact.objects.exists()
    answer = client.post(f"/imports/batches/{batch.pk}/discard/", follow=True)
    assert "只能丢弃" in answer.content.decode()  # discarding twice says why it cannot


def test_a_scoped_hrbp_cannot_restate_a_company_wide_file_and_is_told_why_before_importing(
    client, hrbp, rep, other_team_rep
):
    content = csv_text([DEALS_CN_HEADER, *ROWS]).encode()
    applied = import_file(
        actor=None, source="crm", profile="crm-deals-cn", first="2025-03", path_or_bytes=content
    )
    facts_before = set(MonthlyFact.objects.values_list("employee_id", "kpi_id", "value"))
    client.force_login(hrbp)  # scoped to 销售部: the company-wide batch is not theirs to see or to restate
    answer = _upload(client, content)
    page = client.get(answer["Location"]).content.decode()
    assert 'data-code="coverage_held_wider"' in page
    assert "更大的组织范围" in page
    assert f"/imports/batches/{applied.batch.pk}/" not in page  # the company-wide batch is neither linked
    assert f"#{applied.batch.pk} " not in page  # nor named
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(f"/imports/batches/{ImportBatch.objects.latest('pk').pk}/confirm/")
    assert ImportBatch.objects.latest("pk").error_code == "coverage_held_wider"
    assert set(MonthlyFact.objects.values_list("employee_id", "kpi_id", "value")) == facts_before


def test_a_correction_naming_someone_not_yet_on_the_roster_can_be_saved(client, hr, rep, other_team_rep):
    outcome = _applied(hr)
    row = outcome.batch.quarantined_rows.get()
    client.force_login(hr)
    fields = {f"c{index}": value for index, value in enumerate(ROWS[0])}
    fields["c1"] = "新同事"  # joins with the next roster import; the resubmission looks people up again
    fields["c2"] = "甲公司"
    assert client.post(f"/imports/batches/{outcome.batch.pk}/rows/{row.pk}/fix/", fields).status_code == 302
    row.refresh_from_db()
    assert row.state == QuarantinedRow.State.FIXED


def test_a_switched_off_source_is_not_offered(client, hr):
    from perfloop.imports.models import Source

    Source.objects.create(code="crm", name="CRM", kind="crm", is_active=False)
    client.force_login(hr)
    assert 'value="crm"' not in client.get("/imports/").content.decode()


def test_two_columns_of_the_same_name_keep_their_own_values_through_a_fix(client, hr, rep, other_team_rep):
    from perfloop.imports.pipeline import stored_table

    header = [*DEALS_CN_HEADER, "备注", "备注"]
    rows = [[*row, "甲", "乙"] for row in ROWS]
    outcome = _applied(hr, rows, header=header)
    row = outcome.batch.quarantined_rows.get()
    client.force_login(hr)
    form = client.get(f"/imports/batches/{outcome.batch.pk}/rows/{row.pk}/fix/").content.decode()
    assert 'value="甲"' in form
    assert 'value="乙"' in form  # each column's own value, not the first one's twice
    fields = {f"c{index}": value for index, value in enumerate(rows[0])}
    fields["c2"] = "甲公司"
    assert client.post(f"/imports/batches/{outcome.batch.pk}/rows/{row.pk}/fix/", fields).status_code == 302
    resubmitted = client.post(f"/imports/batches/{outcome.batch.pk}/resubmit/")
    new = ImportBatch.objects.get(pk=int(resubmitted["Location"].rstrip("/").rsplit("/", 1)[1]))
    table = stored_table(new)
    assert table is not None
    kept = table.frame.filter(table.frame["__row"] == row.row_number).row(0)
    assert list(kept[-2:]) == ["甲", "乙"]


def test_the_preview_says_how_the_whole_file_fares_before_the_confirmation(client, hr, rep, other_team_rep):
    client.force_login(hr)
    answer = _upload(client, csv_text([DEALS_CN_HEADER, *ROWS]).encode())
    page = client.get(answer["Location"]).content.decode()
    assert 'data-verdict="ready"' in page
    assert "可以导入：10 行中的 9 行将被应用。" in page  # the formula row waits, the rest goes in
    assert 'data-code="formula_in_cell"' in page
    english = client.get(answer["Location"], headers={"accept-language": "en"}).content.decode()
    assert "Ready to import: 9 of 10 rows will be applied." in english
    assert "1 row has problems (10%; up to 20% may)" in english
    assert not MonthlyFact.objects.exists()


def test_the_preview_warns_that_a_file_with_too_many_bad_rows_would_be_refused(
    client, hr, rep, other_team_rep
):
    client.force_login(hr)
    rows = [[f"O{i}", "王五", "甲公司", "赢单", "2025-03-05", "1"] for i in range(3)]
    answer = _upload(client, csv_text([DEALS_CN_HEADER, *rows, ROWS[-1]]).encode())
    page = client.get(answer["Location"]).content.decode()
    assert 'data-verdict="refused"' in page
    assert 'data-code="too_many_errors"' in page
    assert "此文件将被拒绝" in page
    assert "仍然导入" in page  # the button says what happens; the importer may still want the report
    assert "没有与 王五 匹配的员工" in page  # the problem, shown with its first case


def test_the_batch_list_names_profiles_in_the_page_language_and_counts_only_read_files(
    client, hr, rep, other_team_rep
):
    _applied(hr)
    client.force_login(hr)
    _upload(client, csv_text([DEALS_CN_HEADER, *ROWS[:3]]).encode(), name="april.csv")
    page = client.get("/imports/").content.decode()
    assert '<td title="crm-deals-cn">中文 CRM 商机导出</td>' in page  # the code only as a tooltip
    english = client.get("/imports/", headers={"accept-language": "en"}).content.decode()
    assert '<td title="crm-deals-cn">Chinese CRM deals export</td>' in english
    waiting = re.search(r"april\.csv</td>.*?</tr>", page, re.S)
    assert waiting is not None
    assert '<td class="num">—</td>' in waiting.group(0)  # a file not yet read has no counts, not zeros
    assert "中文 CRM 商机导出 — crm-deals-cn" in page  # the upload form's choice, with its code


def test_the_page_waits_for_the_whole_file_check_and_refreshes_when_it_is_done(
    client, hr, rep, other_team_rep
):
    from perfloop.imports.services import import_upload_check

    client.force_login(hr)
    _upload(client, csv_text([DEALS_CN_HEADER, *ROWS]).encode(), run_check=False)
    batch = ImportBatch.objects.get()
    page = client.get(f"/imports/batches/{batch.pk}/").content.decode()
    assert 'data-check="pending"' in page
    assert f'hx-get="/imports/batches/{batch.pk}/progress/"' in page
    assert "HX-Refresh" not in client.get(f"/imports/batches/{batch.pk}/progress/")
    import_upload_check(batch_id=batch.pk, actor_id=hr.pk)
    assert client.get(f"/imports/batches/{batch.pk}/progress/")["HX-Refresh"] == "true"
    page = client.get(f"/imports/batches/{batch.pk}/").content.decode()
    assert 'data-verdict="ready"' in page
    assert 'data-check="pending"' not in page
    assert import_upload_check(batch_id=batch.pk, actor_id=hr.pk) is None  # judged once


def test_a_check_that_cannot_finish_leaves_the_upload_importable(
    client, hr, rep, other_team_rep, monkeypatch
):
    from perfloop.imports import services

    def broken(**_kwargs):
        raise RuntimeError("the check broke")

    monkeypatch.setattr(services, "file_check_make", broken)
    client.force_login(hr)
    answer = _upload(client, csv_text([DEALS_CN_HEADER, *ROWS]).encode())
    page = client.get(answer["Location"]).content.decode()
    assert 'data-check="failed"' in page
    assert "导入此文件" in page  # the import itself still checks every row when it runs
    assert ImportBatch.objects.get().status == ImportBatch.Status.RECEIVED


def test_an_hrbp_moved_to_another_team_no_longer_opens_the_files_of_the_old_one(client, rep, org):
    from perfloop.accounts.tests.factories import UserFactory

    east_hr = UserFactory(role="hrbp", scope_unit=org.team_east)
    outcome = _applied(east_hr, [*ROWS, ["O9", "无此人", "乙公司", "赢单", "2025-03-09", "1"]])
    row = QuarantinedRow.objects.filter(batch=outcome.batch).first()
    assert row is not None
    client.force_login(east_hr)
    assert client.get(f"/imports/batches/{outcome.batch.pk}/").status_code == 200
    east_hr.scope_unit = org.team_south
    east_hr.save(update_fields=["scope_unit"])
    for url in (
        f"/imports/batches/{outcome.batch.pk}/",
        f"/imports/batches/{outcome.batch.pk}/errors.xlsx",
        f"/imports/batches/{outcome.batch.pk}/rows.csv",
        f"/imports/batches/{outcome.batch.pk}/rows/{row.pk}/fix/",
    ):
        assert client.get(url).status_code == 404, url
    assert f"/imports/batches/{outcome.batch.pk}/" not in client.get("/imports/").content.decode()


# --- mapping profiles -----------------------------------------------------------------------------


def _own_profile(actor=None, name="crm-mine", spec=OWN_DEALS_SPEC, **fields):
    from perfloop.imports.services import mapping_profile_save

    return mapping_profile_save(actor=actor, name=name, spec=spec, **fields).profile


def _profile_form(spec, **fields):
    return {"label": "", "source_kind": "", "spec": json.dumps(spec, ensure_ascii=False, indent=2), **fields}


def test_the_profiles_page_lists_presets_and_the_companys_own_and_is_linked_from_imports(client, hr):
    _own_profile(label="Our CRM", source_kind="crm")
    _own_profile(name="crm-mine", spec={**OWN_DEALS_SPEC, "match": "name"})  # revision 2
    client.force_login(hr)
    assert 'href="/imports/profiles/"' in client.get("/imports/").content.decode()
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    english.force_login(hr)
    page = english.get("/imports/profiles/")
    assert page.status_code == 200
    html = page.content.decode()
    own = re.search(
        r'<tr>\s*<td data-label="Name"><a href="/imports/profiles/crm-mine/">(.*?)</tr>', html, re.S
    )
    assert own is not None
    assert "Our CRM" in own.group(1)
    assert "deals / opportunities" in own.group(1)  # the kind of file in words
    assert '<td class="num" data-label="Revision">2</td>' in own.group(1)
    assert 'href="/imports/profiles/crm-deals-cn/"' in html
    assert "Chinese CRM deals export" in html  # a preset by its label in the page's language
    assert 'href="/imports/profiles/new/?from=crm-deals-cn"' in html


def test_a_new_profile_starts_from_a_copy_of_a_preset(client, hr):
    from perfloop.imports.presets import PRESETS

    client.force_login(hr)
    page = client.get("/imports/profiles/new/?from=crm-deals-cn")
    assert page.status_code == 200
    spec = page.context["form"]["spec"].value()
    assert json.loads(spec) == PRESETS["crm-deals-cn"]["spec"]
    assert '\n  "kind": "deals"' in spec  # pretty-printed …
    assert "销售人员" in spec  # … and readable
    html = page.content.decode()
    assert 'class="imports-profile-spec"' in html
    assert '<option value="crm" selected>' in html
    answer = client.post(
        "/imports/profiles/new/?from=crm-deals-cn",
        _profile_form(json.loads(spec), name="crm-deals-ours", label="我们的 CRM", source_kind="crm"),
    )
    assert answer.status_code == 302
    assert answer["Location"] == "/imports/profiles/crm-deals-ours/"
    profile = MappingProfile.objects.get(name="crm-deals-ours")
    assert (profile.is_preset, profile.label, profile.source_kind, profile.revision) == (
        False,
        "我们的 CRM",
        "crm",
        1,
    )
    assert profile.spec == PRESETS["crm-deals-cn"]["spec"]
    assert "crm-deals-ours" in client.get(answer["Location"]).content.decode()  # with the success message
    assert client.get("/imports/profiles/new/?from=no-such-profile").status_code == 404


def test_a_new_profile_does_not_overwrite_one_that_exists(client, hr):
    _own_profile(label="the first")
    client.force_login(hr)
    answer = client.post(
        "/imports/profiles/new/", _profile_form(OWN_DEALS_SPEC, name="crm-mine", label="the second")
    )
    assert answer.status_code == 400
    assert answer.context["form"].errors["name"]
    assert MappingProfile.objects.get(name="crm-mine").label == "the first"


def test_a_company_profile_is_changed_on_its_page(hr):
    _own_profile(label="Our CRM", source_kind="crm")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(hr)
    page = client.get("/imports/profiles/crm-mine/")
    assert page.status_code == 200
    assert json.loads(page.context["form"]["spec"].value()) == OWN_DEALS_SPEC
    assert 'name="revision" value="1"' in page.content.decode()
    changed = {**OWN_DEALS_SPEC, "match": "email"}
    answer = client.post(
        "/imports/profiles/crm-mine/",
        _profile_form(changed, label="Our CRM (2025)", source_kind="crm", revision="1"),
    )
    assert answer.status_code == 302
    assert answer["Location"] == "/imports/profiles/crm-mine/"
    profile = MappingProfile.objects.get(name="crm-mine")
    assert (profile.spec, profile.label, profile.revision) == (changed, "Our CRM (2025)", 2)
    after = client.get(answer["Location"])
    assert [str(message) for message in after.context["messages"]] == [
        "Profile crm-mine was saved as revision 2."
    ]


def test_a_save_over_someone_elses_newer_revision_is_refused(client, hr):
    _own_profile()
    _own_profile(label="someone else's change")  # revision 2
    client.force_login(hr)
    answer = client.post(
        "/imports/profiles/crm-mine/", _profile_form(OWN_DEALS_SPEC, label="mine", revision="1")
    )
    assert answer.status_code == 400
    assert answer.context["form"].non_field_errors()
    assert MappingProfile.objects.get(name="crm-mine").label == "someone else's change"


def test_invalid_json_is_shown_next_to_the_spec_in_the_users_language(hr):
    _own_profile()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(hr)
    broken = '{\n  "kind": "deals",\n  "columns": {"owner": "Rep",}\n}'
    answer = client.post(
        "/imports/profiles/crm-mine/", {"label": "", "source_kind": "", "spec": broken, "revision": "1"}
    )
    assert answer.status_code == 400
    assert answer.context["form"].errors["spec"] == [
        "This is not valid JSON: Expecting property name enclosed in double quotes (line 3, column 30)."
    ]
    html = answer.content.decode()
    field = re.search(r'<textarea name="spec".*?</div>', html, re.S)
    assert field is not None
    assert '<p class="field__error">This is not valid JSON' in field.group(0)
    assert "&quot;owner&quot;: &quot;Rep&quot;,}" in field.group(0)  # what was typed is kept, to be fixed
    assert MappingProfile.objects.get(name="crm-mine").revision == 1


@pytest.mark.parametrize(
    ("fields", "field", "text"),
    [
        ({"spec": {"kind": "deals", "columns": {"account": "Client"}}}, "spec", "required field owner"),
        ({"name": "CRM mine"}, "name", "lower-case letters"),
        ({"name": "crm-deals-cn"}, "name", "Shipped presets cannot be changed"),
        ({"source_kind": "finance"}, "source_kind", "reads files from CRM only"),
    ],
)
def test_a_refused_profile_says_why_next_to_the_field(hr, fields, field, text):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(hr)
    form = _profile_form(fields.pop("spec", OWN_DEALS_SPEC), **{"name": "crm-mine", **fields})
    answer = client.post("/imports/profiles/new/", form)
    assert answer.status_code == 400
    assert any(text in error for error in answer.context["form"].errors[field]), answer.context["form"].errors
    assert not MappingProfile.objects.filter(is_preset=False).exists()


def test_a_preset_is_shown_read_only_with_a_way_to_copy_it(client, hr):
    client.force_login(hr)
    page = client.get("/imports/profiles/crm-deals-cn/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<textarea" not in html
    assert '<pre class="imports-profile-spec">' in html
    assert 'href="/imports/profiles/new/?from=crm-deals-cn"' in html
    before = MappingProfile.objects.get(name="crm-deals-cn").spec
    answer = client.post("/imports/profiles/crm-deals-cn/", _profile_form(OWN_DEALS_SPEC, revision="1"))
    assert answer.status_code == 403
    assert MappingProfile.objects.get(name="crm-deals-cn").spec == before


def test_hr_of_one_part_reads_a_roster_profile_but_does_not_write_one(client, hrbp, hr_director):
    roster = {
        "kind": "roster",
        "columns": {
            "employee_number": "工号",
            "name": "姓名",
            "department": "部门",
            "position": "岗位",
            "hire_date": "入职",
        },
    }
    _own_profile(hr_director, name="roster-mine", spec=roster)
    client.force_login(hrbp)
    page = client.get("/imports/profiles/roster-mine/")
    assert page.status_code == 200
    assert "<textarea" not in page.content.decode()
    assert "/imports/profiles/new/?from=roster-mine" not in page.content.decode()  # no copy to make
    listing = client.get("/imports/profiles/").content.decode()
    assert 'value="roster-mine"' not in listing
    assert 'value="hr-roster-cn"' not in listing
    assert 'value="crm-deals-cn"' in listing
    assert (
        client.post("/imports/profiles/roster-mine/", _profile_form(roster, revision="1")).status_code == 403
    )
    answer = client.post("/imports/profiles/new/", _profile_form(roster, name="roster-copy"))
    assert answer.status_code == 400
    assert answer.context["form"].errors["spec"]
    assert not MappingProfile.objects.filter(name="roster-copy").exists()


def test_an_unknown_profile_answers_404(client, hr):
    client.force_login(hr)
    assert client.get("/imports/profiles/no-such-profile/").status_code == 404


@pytest.mark.parametrize(
    "persona", ["rep", "other_team_rep", "manager", "mentor", "legal", "recruiter", "executive", "sysadmin"]
)
def test_only_hr_sees_the_profile_pages(client, everyone, persona):
    _own_profile()
    client.force_login(everyone[persona])
    for url in (
        "/imports/profiles/",
        "/imports/profiles/new/?from=crm-deals-cn",
        "/imports/profiles/crm-mine/",
    ):
        assert client.get(url).status_code == 403, url
    assert (
        client.post(
            "/imports/profiles/crm-mine/", _profile_form({**OWN_DEALS_SPEC, "match": "name"}, revision="1")
        ).status_code
        == 403
    )
    assert (
        client.post("/imports/profiles/new/", _profile_form(OWN_DEALS_SPEC, name="crm-theirs")).status_code
        == 403
    )
    assert list(MappingProfile.objects.filter(is_preset=False).values_list("name", "revision")) == [
        ("crm-mine", 1)
    ]


def test_the_profile_pages_need_no_inline_script_or_style(client, hr):
    _own_profile()
    client.force_login(hr)
    for url in (
        "/imports/profiles/",
        "/imports/profiles/new/?from=crm-deals-cn",
        "/imports/profiles/crm-mine/",
        "/imports/profiles/crm-deals-cn/",
    ):
        html = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url
        assert " style=" not in html, url


def test_a_profile_saved_on_its_page_imports_a_file_of_that_layout(client, hr, rep, other_team_rep):
    client.force_login(hr)
    answer = client.post(
        "/imports/profiles/new/", _profile_form(OWN_DEALS_SPEC, name="crm-mine", source_kind="crm")
    )
    assert answer.status_code == 302
    data = csv_text(
        [
            ["Rep", "Client", "Status", "Signed on", "Value"],
            ["李明", "甲公司", "Signed", "2025-03-05", "12000"],
            ["陈静", "乙公司", "Dropped", "2025-03-06", ""],
        ]
    ).encode()
    outcome = import_file(actor=hr, source="crm", profile="crm-mine", path_or_bytes=data, first="2025-03")
    assert outcome.is_applied, outcome.batch.error_message
    assert outcome.batch.profile == MappingProfile.objects.get(name="crm-mine")
    assert MonthlyFact.objects.get(employee=rep.employee, kpi__code="revenue").value == 12000
    assert MonthlyFact.objects.get(employee=other_team_rep.employee, kpi__code="conversion_rate").value == 0
