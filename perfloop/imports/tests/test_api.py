"""The imports API: signed push ingest, batches and quarantine, profiles, sources, and who may use them."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from perfloop.imports.models import ImportBatch, MappingProfile
from perfloop.imports.services import source_token_rotate
from perfloop.imports.tests.data import DEALS_CN_HEADER, OWN_DEALS_SPEC, csv_text
from perfloop.metrics.models import MonthlyFact

pytestmark = pytest.mark.django_db

BODY = csv_text([DEALS_CN_HEADER, ["O1", "李明", "甲公司", "赢单", "2025-03-05", "1.2"]]).encode()


def signed(body, key):
    return "sha256=" + hmac.new(key.encode(), body, hashlib.sha256).hexdigest()


def push(
    client,
    body,
    credentials,
    *,
    key="push-1",
    signature=None,
    source="crm",
    query="profile=crm-deals-cn&first=2025-03",
):
    return client.post(
        f"/api/v1/imports/ingest/{source}?{query}",
        data=body,
        content_type="text/csv",
        headers={
            "Authorization": f"Bearer {credentials.token}",
            "X-Perfloop-Signature": signature or signed(body, credentials.signing_key),
            "Idempotency-Key": key,
        },
    )


@pytest.fixture
def credentials(db):
    return source_token_rotate(actor=None, source="crm")


def test_a_signed_push_is_applied_once(client, rep, credentials):
    first = push(client, BODY, credentials)
    assert first.status_code == 201, first.content
    assert first.json()["status"] == "applied"
    assert MonthlyFact.objects.filter(employee=rep.employee, kpi__code="revenue").get().value == 12000
    retry = push(client, BODY, credentials)
    assert (retry.status_code, retry.json()["batch"], retry.json()["duplicate"]) == (
        200,
        first.json()["batch"],
        True,
    )
    assert ImportBatch.objects.count() == 1


def test_a_reused_idempotency_key_with_another_body_conflicts(client, rep, credentials):
    push(client, BODY, credentials)
    other = BODY.replace(b"1.2", b"1.3")
    answer = push(client, other, credentials)
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "idempotency_key_reused"


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ("signature", 401, "invalid_signature"),
        ("token", 401, "invalid_token"),
        ("key", 400, "idempotency_key_required"),
        ("source", 401, "invalid_token"),
    ],
)
def test_a_push_without_valid_credentials_changes_nothing(client, rep, credentials, change, status, code):
    kwargs = {}
    if change == "signature":
        kwargs["signature"] = signed(BODY + b"x", credentials.signing_key)
    elif change == "token":
        credentials = type(credentials)(token="pfs_forged", signing_key=credentials.signing_key)
    elif change == "key":
        kwargs["key"] = ""
    elif change == "source":
        kwargs["source"] = "finance"
    answer = push(client, BODY, credentials, **kwargs)
    assert answer.status_code == status
    assert answer.json()["error"]["code"] == code
    assert not ImportBatch.objects.exists()
    assert not MonthlyFact.objects.exists()


def test_a_rotated_token_stops_the_old_one(client, rep, credentials):
    source_token_rotate(actor=None, source="crm")
    assert push(client, BODY, credentials).status_code == 401


def test_a_bad_signature_is_refused_in_the_integrators_language(client, rep, credentials):
    body_signature = signed(b"something else", credentials.signing_key)
    for language, message in (
        ("zh-hans", "请求体签名不匹配。"),
        ("en", "The body signature does not match."),
    ):
        answer = client.post(
            "/api/v1/imports/ingest/crm?profile=crm-deals-cn&first=2025-03",
            data=BODY,
            content_type="text/csv",
            headers={
                "Authorization": f"Bearer {credentials.token}",
                "X-Perfloop-Signature": body_signature,
                "Idempotency-Key": f"sig-{language}",
                "Accept-Language": language,
            },
        )
        assert answer.status_code == 401
        assert answer.json()["error"]["code"] == "invalid_signature"
        assert answer.json()["error"]["message"] == message
    assert not MonthlyFact.objects.exists()


def test_a_rejected_push_answers_with_the_reason_and_the_batch(client, rep, credentials):
    body = csv_text([["负责人", "金额"], ["李明", "1"]]).encode()
    answer = push(client, body, credentials)
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "missing_column"
    assert ImportBatch.objects.get(pk=error["details"]["batch"]).status == "rejected"


def test_batches_and_quarantine_for_hr(client, hrbp, rep, other_team_rep, credentials):
    body = csv_text(
        [
            DEALS_CN_HEADER,
            *[[f"O{i}", "李明", "甲", "输单", "2025-03-05", ""] for i in range(8)],
            ["X", "王五", "乙", "赢单", "2025-03-05", "1"],
        ]
    ).encode()
    batch_id = push(client, body, credentials).json()["batch"]
    hrbp.scope_unit = None  # a push covers the whole organisation: HR of the whole organisation sees it
    hrbp.save()
    client.force_login(hrbp)
    listing = client.get("/api/v1/imports/batches").json()
    assert [item["batch"] for item in listing["items"]] == [batch_id]
    assert client.get(f"/api/v1/imports/batches/{batch_id}").json()["rows"]["quarantined"] == 1
    rows = client.get(f"/api/v1/imports/batches/{batch_id}/quarantine").json()["items"]
    assert [(row["row"], row["code"], row["raw"]["负责人"]) for row in rows] == [
        (10, "unknown_employee", "王五")
    ]


@pytest.mark.parametrize(
    "persona", ["rep", "other_team_rep", "manager", "mentor", "legal", "recruiter", "executive", "sysadmin"]
)
def test_nobody_but_hr_reads_batches(client, everyone, persona, credentials):
    batch_id = push(client, BODY, credentials).json()["batch"]
    client.force_login(everyone[persona])
    assert client.get("/api/v1/imports/batches").status_code == 403
    assert client.get(f"/api/v1/imports/batches/{batch_id}").status_code == 403
    assert client.get(f"/api/v1/imports/batches/{batch_id}/quarantine").status_code == 403


def test_an_upload_through_the_api_with_a_personal_token(client, hrbp, rep):
    from perfloop.accounts.services import api_token_create

    _, raw = api_token_create(actor=None, user=hrbp, name="script", scopes=["read", "write"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    answer = client.post(
        "/api/v1/imports/batches",
        {
            "file": SimpleUploadedFile("deals.csv", BODY),
            "source": "crm",
            "profile": "crm-deals-cn",
            "first": "2025-03",
        },
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["rows"]["valid"] == 1
    assert ImportBatch.objects.get().created_by == hrbp


def test_profiles_and_sources(client, hrbp, sysadmin, rep):
    client.force_login(hrbp)
    names = {profile["name"] for profile in client.get("/api/v1/imports/profiles").json()}
    assert {
        "crm-deals-cn",
        "crm-opportunities-en",
        "finance-collections-cn",
        "lms-attendance",
        "hr-roster-cn",
    } <= names
    client.force_login(sysadmin)
    token = client.post("/api/v1/imports/sources/finance/token")
    assert token.status_code == 200
    assert token.json()["token"].startswith("pfs_")
    sources = {s["code"]: s for s in client.get("/api/v1/imports/sources").json()}
    assert sources["finance"]["has_push_token"] is True
    assert "token" not in json.dumps(sources["finance"]).replace("push_token", "").replace("token_prefix", "")
    client.force_login(rep)
    assert client.post("/api/v1/imports/sources/crm/token").status_code == 403


# persona → may see the rows behind 李明's (the rep's) revenue
SEES_THE_REPS_ROWS = {
    "rep": True,
    "other_team_rep": False,
    "manager": True,
    "other_manager": False,
    "mentor": False,
    "hrbp": True,
    "legal": False,
    "recruiter": False,
    "executive": False,
    "sysadmin": False,
}


@pytest.mark.parametrize(("persona", "allowed"), SEES_THE_REPS_ROWS.items())
def test_the_rows_behind_a_fact_for_whoever_may_see_the_fact(client, everyone, credentials, persona, allowed):
    body = csv_text(
        [
            DEALS_CN_HEADER,
            ["O1", "李明", "甲公司", "赢单", "2025-03-05", "1.2"],
            ["O2", "陈静", "乙公司", "赢单", "2025-03-06", "3"],
            ["O3", "李明", "丙公司", "赢单", "2025-03-07", "2"],
        ]
    ).encode()
    push(client, body, credentials)
    fact = MonthlyFact.objects.get(employee=everyone["rep"].employee, kpi__code="revenue")
    client.force_login(everyone[persona])
    answer = client.get(f"/api/v1/imports/facts/{fact.pk}/rows")
    if not allowed:
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "not_found"
        assert "甲公司" not in answer.content.decode()
        return
    assert answer.status_code == 200, answer.content
    found = answer.json()
    assert (found["kpi"], found["month"], found["value"], found["recovered"]) == (
        "revenue",
        "2025-03",
        "32000.0000",
        False,
    )
    assert [(row["row"], row["cells"]["客户名称"]) for row in found["rows"]] == [(2, "甲公司"), (4, "丙公司")]
    assert found["header"] == DEALS_CN_HEADER


def _check(client, body=BODY, **fields):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"file": SimpleUploadedFile("deals.csv", body), "source": "crm", "profile": "crm-deals-cn"}
    return client.post("/api/v1/imports/checks", {**data, **fields})


def test_a_check_says_what_an_upload_would_do_and_writes_nothing(client, hrbp, rep, other_team_rep):
    hrbp.scope_unit = None
    hrbp.save()
    client.force_login(hrbp)
    body = csv_text(
        [
            DEALS_CN_HEADER,
            ["O1", "李明", "甲公司", "赢单", "2025-03-05", "1.2"],
            *[[f"F{i}", "陈静", f"客户{i}", "输单", "2025-03-06", ""] for i in range(8)],
            ["O9", "李明", "乙公司", "赢单", "2025-03-07", "很多"],
        ]
    ).encode()
    answer = _check(client, body, first="2025-03")
    assert answer.status_code == 200, answer.content
    check = answer.json()
    assert (check["ready"], check["rows_total"], check["rows_with_problems"]) == (True, 10, 1)
    assert check["problems"] == [
        {
            "code": "unparseable_number",
            "message": "很多 is not a number.",
            "rows": 1,
            "first_rows": [11],
            "column": "成交金额（万元）",
        }
    ]
    assert check["months"] == ["2025-03"]
    assert not ImportBatch.objects.exists()
    assert not MonthlyFact.objects.exists()


def test_a_check_of_a_file_that_would_be_refused_gives_the_reason(client, hrbp, rep):
    hrbp.scope_unit = None
    hrbp.save()
    client.force_login(hrbp)
    body = csv_text([DEALS_CN_HEADER, ["O1", "李明", "甲公司", "赢单", "2025-03-05", "很多"]]).encode()
    check = _check(client, body).json()
    assert check["ready"] is False
    assert check["refusal"]["code"] == "no_valid_rows"
    assert check["facts"] == 0


@pytest.mark.parametrize(
    "persona", ["rep", "other_team_rep", "manager", "mentor", "legal", "recruiter", "executive", "sysadmin"]
)
def test_nobody_but_hr_checks_a_file(client, everyone, persona):
    client.force_login(everyone[persona])
    assert _check(client).status_code == 403
    assert not ImportBatch.objects.exists()


def test_a_team_hrbps_check_of_a_period_imported_company_wide_says_why_without_naming_the_batch(
    client, hrbp, rep, other_team_rep
):
    from perfloop.imports.services import import_file

    applied = import_file(
        actor=None, source="crm", profile="crm-deals-cn", path_or_bytes=BODY, first="2025-03"
    )
    client.force_login(hrbp)  # scoped to 销售部
    check = _check(client, BODY, first="2025-03").json()
    assert check["refusal"]["code"] == "coverage_held_wider"
    assert f"#{applied.batch.pk}" not in json.dumps(check)
    assert check["duplicate_of"] is None


# --- one mapping profile: read and save -----------------------------------------------------------


def put_profile(client, name, body, **headers):
    return client.put(
        f"/api/v1/imports/profiles/{name}", data=json.dumps(body), content_type="application/json", **headers
    )


def test_one_profile_is_read_with_its_spec(client, hrbp):
    from perfloop.imports.presets import PRESETS

    client.force_login(hrbp)
    answer = client.get("/api/v1/imports/profiles/crm-deals-cn")
    assert answer.status_code == 200
    body = answer.json()
    assert (body["name"], body["kind"], body["source_kind"], body["is_preset"], body["revision"]) == (
        "crm-deals-cn",
        "deals",
        "crm",
        True,
        1,
    )
    assert body["spec"] == PRESETS["crm-deals-cn"]["spec"]
    missing = client.get("/api/v1/imports/profiles/no-such-profile")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "unknown_profile"


def test_put_creates_then_replaces_a_profile(client, hrbp):
    client.force_login(hrbp)
    created = put_profile(
        client, "crm-mine", {"label": "Our CRM", "source_kind": "crm", "spec": OWN_DEALS_SPEC}
    )
    assert created.status_code == 201, created.content
    assert created.json() == {
        "name": "crm-mine",
        "label": "Our CRM",
        "kind": "deals",
        "source_kind": "crm",
        "is_preset": False,
        "revision": 1,
        "spec": OWN_DEALS_SPEC,
    }
    changed = {**OWN_DEALS_SPEC, "match": "email"}
    replaced = put_profile(client, "crm-mine", {"spec": changed})
    assert replaced.status_code == 200
    # PUT replaces: a label and source kind left out are empty now
    assert (replaced.json()["revision"], replaced.json()["label"], replaced.json()["source_kind"]) == (
        2,
        "",
        "",
    )
    again = put_profile(client, "crm-mine", {"spec": changed})
    assert (again.status_code, again.json()["revision"]) == (200, 2)  # nothing changed, no new revision
    assert client.get("/api/v1/imports/profiles/crm-mine").json()["spec"] == changed
    listed = {p["name"]: p for p in client.get("/api/v1/imports/profiles").json()}
    assert listed["crm-mine"]["revision"] == 2


@pytest.mark.parametrize(
    ("name", "body", "code"),
    [
        ("crm-mine", {"spec": {"kind": "deals", "columns": {"account": "Client"}}}, "invalid_profile"),
        ("crm-mine", {"spec": OWN_DEALS_SPEC, "source_kind": "erp"}, "invalid_source_kind"),
        ("crm-mine", {"spec": OWN_DEALS_SPEC, "source_kind": "finance"}, "invalid_source_kind"),
        ("CRM_mine", {"spec": OWN_DEALS_SPEC}, "invalid_profile_name"),
        ("crm-deals-cn", {"spec": OWN_DEALS_SPEC}, "preset_read_only"),
        ("crm-mine", {"spec": ["not", "an", "object"]}, "invalid_input"),
        ("crm-mine", {"label": "no spec"}, "invalid_input"),
    ],
)
def test_an_invalid_profile_answers_422_in_the_error_shape(client, hrbp, name, body, code):
    from perfloop.imports.services import presets_install

    presets_install()
    client.force_login(hrbp)
    answer = put_profile(client, name, body)
    assert answer.status_code == 422, answer.content
    assert set(answer.json()) == {"error"}
    assert set(answer.json()["error"]) == {"code", "message", "details"}
    assert answer.json()["error"]["code"] == code
    assert not MappingProfile.objects.filter(is_preset=False).exists()
    assert MappingProfile.objects.get(name="crm-deals-cn").spec != OWN_DEALS_SPEC


def test_an_invalid_spec_says_why(client, hrbp):
    client.force_login(hrbp)
    answer = put_profile(client, "crm-mine", {"spec": {"kind": "deals", "columns": {"account": "Client"}}})
    assert answer.json()["error"]["details"]["reason"] == "required field owner has no column names"


@pytest.mark.parametrize(
    "persona", ["rep", "other_team_rep", "manager", "mentor", "legal", "recruiter", "executive", "sysadmin"]
)
def test_nobody_but_hr_reads_or_saves_a_profile(client, everyone, persona):
    client.force_login(everyone[persona])
    assert client.get("/api/v1/imports/profiles/crm-deals-cn").status_code == 403
    answer = put_profile(client, "crm-mine", {"spec": OWN_DEALS_SPEC})
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "permission_denied"
    assert not MappingProfile.objects.filter(is_preset=False).exists()


def test_a_read_only_token_reads_a_profile_but_does_not_save_one(client, hrbp):
    from perfloop.accounts.services import api_token_create

    _, raw = api_token_create(actor=None, user=hrbp, name="script", scopes=["read"])
    bearer = {"headers": {"Authorization": f"Bearer {raw}"}}
    assert client.get("/api/v1/imports/profiles/crm-deals-cn", **bearer).status_code == 200
    assert put_profile(client, "crm-mine", {"spec": OWN_DEALS_SPEC}, **bearer).status_code == 403
    assert not MappingProfile.objects.filter(name="crm-mine").exists()
