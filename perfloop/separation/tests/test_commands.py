"""The CLI: `perfloop severance`, `perfloop eligibility`, `perfloop import-law-reference`."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_severance_from_arguments_prints_the_working():
    text = run(
        "severance",
        "--hire-date=2020-01-01",
        "--termination-date=2023-06-30",
        "--monthly-wage=8000",
        "--city=shanghai",
        "--language=en",
    )
    print(text)
    assert "32000.00 CNY" in text
    assert "[CN-M-02]" in text


def test_severance_from_a_json_file_with_json_out(tmp_path: Path):
    case = tmp_path / "case.json"
    case.write_text(
        json.dumps(
            {
                "hire_date": "2005-03-01",
                "termination_date": "2023-06-30",
                "monthly_wage": "8000",
                "city": "shanghai",
                "notice_given": False,
            }
        ),
        "utf-8",
    )
    result = json.loads(run("severance", f"--input={case}", "--json", "--part-month-counting=exact"))
    assert result["results"]["severance"]["amount"] == "152000.00"
    assert result["results"]["unlawful_damages"]["amount"] == "296000.00"


def test_severance_with_monthly_wages_and_no_notice():
    wages = [f"--wage=2022-{month:02d}=8000:1000" for month in range(7, 13)]
    wages += [f"--wage=2023-{month:02d}=8000:1000" for month in range(1, 7)]
    result = json.loads(
        run(
            "severance",
            "--hire-date=2021-07-01",
            "--termination-date=2023-06-30",
            "--city=beijing",
            "--average-wage-year=2022",
            "--no-notice",
            "--json",
            *wages,
        )
    )
    assert result["results"]["severance"]["amount"] == "16000.00"
    assert result["results"]["pay_in_lieu"]["amount"] == "8000.00"


def test_severance_errors_are_command_errors_with_the_json_shape():
    out = StringIO()
    with pytest.raises(CommandError, match="unknown_city"):
        call_command(
            "severance",
            "--hire-date=2020-01-01",
            "--termination-date=2023-06-30",
            "--monthly-wage=8000",
            "--city=atlantis",
            "--json",
            stdout=out,
        )
    assert json.loads(out.getvalue())["error"]["code"] == "unknown_city"


def test_eligibility_reads_a_case_file(tmp_path: Path):
    case = tmp_path / "facts.json"
    case.write_text(json.dumps({"hire_date": "2018-03-01", "notice_date": "2024-10-10"}), "utf-8")
    result = json.loads(run("eligibility", f"--input={case}", "--json"))
    assert result["suggested_route"] == "lcl_36_mutual"
    text = run("eligibility", f"--input={case}", "--language=en")
    assert "[BLOCKED] lcl_40_2" in text


def test_eligibility_bad_input_file():
    with pytest.raises(CommandError, match="unreadable_file"):
        call_command("eligibility", "--input=/nonexistent/facts.json", stdout=StringIO())


def test_import_law_reference_is_idempotent_and_versions_corrections(tmp_path: Path):
    assert json.loads(run("import_law_reference", "--json"))["created"] == {}
    corrected = tmp_path / "cn_average_wages.csv"
    corrected.write_text(
        "city,year,average_monthly_wage,source,verification\nshanghai,2022,12200,fix,verified\n"
    )
    assert "average_wages: 1 new versions" in run("import_law_reference", str(corrected))
    assert "average_wages: 0 new versions" in run("import_law_reference", f"--input={corrected}")
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(CommandError, match="invalid_json"):
        call_command("import_law_reference", f"--input={broken}", stdout=StringIO())
