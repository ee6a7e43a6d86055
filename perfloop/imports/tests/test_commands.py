"""`perfloop import`: a summary or JSON, idempotent, a non-zero exit for a rejected file, roster links;
`perfloop import-profile`: show, save and list mapping profiles."""

from __future__ import annotations

import csv
import io
import json
import re
import stat

import pytest
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError

from perfloop.imports.models import MappingProfile
from perfloop.imports.tests.data import DEALS_CN_HEADER, csv_text
from perfloop.imports.tests.test_roster import roster

pytestmark = pytest.mark.django_db


def command(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def deals_file(tmp_path):
    path = tmp_path / "deals.csv"
    rows = [
        ["O1", "李明", "甲公司", "赢单", "2025-03-05", "1.2"],
        ["O2", "李明", "乙公司", "输单", "2025-03-06", ""],
    ]
    path.write_bytes(csv_text([DEALS_CN_HEADER, *rows]).encode("gbk"))
    return path


def test_the_command_is_perfloop_import():
    assert get_commands()["import"] == "perfloop.imports"


def test_an_import_prints_a_summary_with_a_progress_bar(rep, deals_file):
    out, err = command("--source", "crm", "--profile", "crm-deals-cn", "--period", "2025-03", str(deals_file))
    assert re.search(r"Batch #\d+ applied", out)
    assert "rows: 2 total, 2 applied, 0 quarantined" in out
    assert "[####" in err
    assert "committing" in err
    again, _ = command("--source", "crm", "--profile", "crm-deals-cn", "--period", "2025-03", str(deals_file))
    assert "Already imported as batch #" in again


def test_json_output(rep, deals_file):
    out, err = command(
        "--profile", "crm-deals-cn", "--first", "2025-03", "--last", "2025-03", "--json", str(deals_file)
    )
    summary = json.loads(out)
    # 李明's revenue, conversion and new customers, and his manager's real zeros for the counting KPIs
    assert (summary["status"], summary["facts"]["created"], summary["encoding"]) == ("applied", 5, "gb18030")
    assert err == ""


def test_a_rejected_file_exits_non_zero(rep, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("负责人,金额\n李明,1\n", encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        command("--profile", "crm-deals-cn", "--json", str(path))
    assert caught.value.returncode == 2
    assert "missing_column" in str(caught.value)


def test_bad_arguments(rep, deals_file):
    with pytest.raises(CommandError, match="--profile"):
        command(str(deals_file))
    with pytest.raises(CommandError, match="invalid_period"):
        command("--profile", "crm-deals-cn", "--period", "2025-13", str(deals_file))
    with pytest.raises(CommandError, match="unknown_profile"):
        command("--profile", "nope", str(deals_file))
    with pytest.raises(CommandError, match="file_not_found"):
        command("--profile", "crm-deals-cn", "/no/such/file.csv")


def test_dry_run_and_profile_list(rep, deals_file):
    out, _ = command("--profile", "crm-deals-cn", "--dry-run", str(deals_file))
    assert "owner" in out
    assert "负责人" in out
    assert "李明" in out
    listing, _ = command("--list-profiles")
    assert "hr-roster-cn" in listing
    assert "crm-opportunities-en" in listing


def test_a_roster_writes_the_invitation_links_privately(tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(roster())
    links = tmp_path / "links.csv"
    out, _ = command(
        "--source",
        "hris",
        "--profile",
        "hr-roster-cn",
        "--invitations",
        str(links),
        "--base-url",
        "https://perfloop.example.com",
        str(path),
    )
    assert "people_created 5" in out
    assert stat.S_IMODE(links.stat().st_mode) == 0o600
    rows = list(csv.reader(links.read_text(encoding="utf-8-sig").splitlines()))
    assert len(rows) == 6
    assert all(row[3].startswith("https://perfloop.example.com/imports/invitations/") for row in rows[1:])


def test_a_dry_run_judges_the_whole_file_and_writes_nothing(rep, other_team_rep, tmp_path):
    from perfloop.imports.models import ImportBatch

    path = tmp_path / "deals.csv"
    rows = [
        ["O1", "李明", "甲公司", "赢单", "2025-03-05", "1.2"],
        *[[f"F{i}", "陈静", f"客户{i}", "输单", "2025-03-06", ""] for i in range(8)],
        ["O9", "王五", "乙公司", "赢单", "2025-03-07", "1"],
    ]
    path.write_text(csv_text([DEALS_CN_HEADER, *rows]), encoding="utf-8")
    out, _ = command("--profile", "crm-deals-cn", "--period", "2025-03", "--dry-run", str(path))
    assert "whole file: ready — 9 of 10 rows would be applied, 1 set aside (10%; up to 20% may be)" in out
    assert "unknown_employee × 1 (rows 11): No employee matches 王五" in out
    assert not ImportBatch.objects.exists()
    listed, _ = command("--profile", "crm-deals-cn", "--period", "2025-03", "--dry-run", "--json", str(path))
    assert json.loads(listed)["check"]["rows_with_problems"] == 1


def test_a_dry_run_of_a_file_that_would_be_refused_exits_non_zero(rep, tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text(
        csv_text([DEALS_CN_HEADER, ["O1", "王五", "甲公司", "赢单", "2025-03-05", "1"]]), encoding="utf-8"
    )
    with pytest.raises(CommandError) as caught:
        command("--profile", "crm-deals-cn", "--dry-run", str(path))
    assert caught.value.returncode == 2


def test_a_dry_run_of_a_file_already_imported_says_so(rep, deals_file):
    command("--profile", "crm-deals-cn", "--period", "2025-03", str(deals_file))
    out, _ = command("--profile", "crm-deals-cn", "--period", "2025-03", "--dry-run", str(deals_file))
    assert re.search(
        r"whole file: already imported as batch #\d+; importing it again would change nothing", out
    )


def test_a_json_dry_run_of_a_file_that_would_be_refused_exits_non_zero(rep, tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text(
        csv_text([DEALS_CN_HEADER, ["O1", "王五", "甲公司", "赢单", "2025-03-05", "1"]]), encoding="utf-8"
    )
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import", "--profile", "crm-deals-cn", "--dry-run", "--json", str(path), stdout=out)
    assert caught.value.returncode == 2
    assert json.loads(out.getvalue())["check"]["refusal"]["code"] == "no_valid_rows"


# --- perfloop import-profile ----------------------------------------------------------------------

OWN_SPEC = {
    "kind": "deals",
    "columns": {"owner": "销售", "account": "客户", "stage": "阶段", "close_date": "日期", "amount": "金额"},
}


def profile_command(*args, stdin=None):
    out, err = io.StringIO(), io.StringIO()
    extra = {"stdin": stdin} if stdin is not None else {}
    call_command("import_profile", *args, stdout=out, stderr=err, **extra)
    return out.getvalue(), err.getvalue()


def test_the_command_is_perfloop_import_profile():
    assert get_commands()["import_profile"] == "perfloop.imports"


def test_show_prints_a_presets_spec_as_json_to_copy(db):
    from perfloop.imports.presets import PRESETS

    out, err = profile_command("show", "crm-deals-cn")
    assert json.loads(out) == PRESETS["crm-deals-cn"]["spec"]
    assert "销售人员" in out  # readable, not \\u escapes
    assert '\n  "kind": "deals"' in out  # pretty-printed
    assert "crm-deals-cn" in err  # what it is goes to standard error, so the output is the spec alone
    with pytest.raises(CommandError, match="unknown_profile"):
        profile_command("show", "no-such-profile")


def test_save_from_a_file_creates_then_updates_and_keeps_the_label(tmp_path):
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(OWN_SPEC, ensure_ascii=False), encoding="utf-8-sig")
    out, _ = profile_command("save", "crm-mine", str(path), "--label", "我们的 CRM", "--source-kind", "crm")
    assert out.strip() == "created crm-mine, revision 1"
    changed = {**OWN_SPEC, "match": "name"}
    path.write_text(json.dumps(changed), encoding="utf-8")
    out, _ = profile_command("save", "crm-mine", str(path))
    assert out.strip() == "updated crm-mine, revision 2"
    out, _ = profile_command("save", "crm-mine", str(path))
    assert out.strip() == "unchanged crm-mine, revision 2"
    profile = MappingProfile.objects.get(name="crm-mine")
    assert (profile.spec, profile.label, profile.source_kind) == (changed, "我们的 CRM", "crm")
    shown, _ = profile_command("show", "crm-mine")
    assert json.loads(shown) == changed


def test_save_reads_standard_input_for_a_dash(db):
    out, _ = profile_command("save", "crm-piped", "-", stdin=io.StringIO(json.dumps(OWN_SPEC)))
    assert out.strip() == "created crm-piped, revision 1"
    assert MappingProfile.objects.get(name="crm-piped").spec == OWN_SPEC


def test_save_names_the_line_and_column_of_invalid_json(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "kind": "deals",\n  "columns": {"owner": "销售",}\n}\n', encoding="utf-8")
    with pytest.raises(CommandError, match=r"invalid_json: .*broken\.json.*line 3, column 29"):
        profile_command("save", "crm-mine", str(path))
    with pytest.raises(CommandError, match="invalid_json: standard input"):
        profile_command("save", "crm-mine", "-", stdin=io.StringIO("{"))
    assert not MappingProfile.objects.filter(name="crm-mine").exists()


def test_save_refuses_an_invalid_profile_with_the_reason(tmp_path):
    path = tmp_path / "mine.json"
    path.write_text(json.dumps({"kind": "deals", "columns": {"account": "客户"}}), encoding="utf-8")
    with pytest.raises(CommandError, match=r"invalid_profile: .*required field owner has no column names"):
        profile_command("save", "crm-mine", str(path))
    path.write_text(json.dumps(OWN_SPEC), encoding="utf-8")
    with pytest.raises(CommandError, match="preset_read_only"):
        profile_command("save", "crm-deals-cn", str(path))
    with pytest.raises(CommandError, match="invalid_profile_name"):
        profile_command("save", "CRM Mine", str(path))
    with pytest.raises(CommandError, match="invalid_source_kind"):
        profile_command("save", "crm-mine", str(path), "--source-kind", "erp")
    with pytest.raises(CommandError, match="file_not_found"):
        profile_command("save", "crm-mine", str(tmp_path / "missing.json"))
    assert not MappingProfile.objects.filter(is_preset=False).exists()


def test_list_is_the_same_listing_as_import_list_profiles(tmp_path):
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(OWN_SPEC), encoding="utf-8")
    profile_command("save", "crm-mine", str(path), "--label", "Ours")
    listing, _ = profile_command("list")
    assert listing == command("--list-profiles")[0]
    assert re.search(r"^crm-mine\s+deals\s+Ours$", listing, re.M)
    assert "crm-deals-cn" in listing
    as_json = {profile["name"]: profile for profile in json.loads(profile_command("list", "--json")[0])}
    assert as_json["crm-mine"] == {
        "name": "crm-mine",
        "kind": "deals",
        "label": "Ours",
        "source_kind": "",
        "is_preset": False,
        "revision": 1,
    }
    assert as_json["crm-deals-cn"]["is_preset"] is True
