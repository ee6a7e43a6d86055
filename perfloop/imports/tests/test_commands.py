"""`perfloop import`: a summary or JSON, idempotent, a non-zero exit for a rejected file, roster links."""

from __future__ import annotations

import csv
import io
import json
import re
import stat

import pytest
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError

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
