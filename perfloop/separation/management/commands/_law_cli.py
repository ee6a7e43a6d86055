"""Shared plumbing of the law commands: reading ``--input``, writing JSON or readable working."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, OutputWrapper

from perfloop.separation.law.errors import LawInputError
from perfloop.separation.law.interface import CalculationBundle, EligibilityResult
from perfloop.separation.law.working import render_text


def read_input(path: str | None) -> dict[str, Any]:
    """The JSON object in ``path`` (``-`` is not supported: files are what HR keeps)."""
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except OSError as exc:
        raise LawInputError("unreadable_file", path=path) from exc
    except json.JSONDecodeError as exc:
        raise LawInputError("invalid_json", path=path, line=exc.lineno) from exc
    if not isinstance(data, dict):
        raise LawInputError("invalid_object", field=path)
    return data


def fail(stdout: OutputWrapper, exc: LawInputError, *, as_json: bool, language: str) -> CommandError:
    """The command error for ``exc``; in JSON mode the error shape of the API is printed first."""
    if as_json:
        stdout.write(
            json.dumps(
                {"error": exc.as_dict() | {"message": exc.text.en, "message_zh": exc.text.zh}},
                ensure_ascii=False,
            )
        )
    return CommandError(f"{exc.code}: {exc.text.for_language(language)}")


def write_bundle(stdout: OutputWrapper, bundle: CalculationBundle, language: str) -> None:
    for result in bundle.results:
        label = result.label.for_language(language)
        figure = (
            result.date.isoformat()
            if result.amount is None and result.date
            else f"{result.amount} {result.currency}"
        )
        stdout.write(f"\n== {label}: {figure}")
        stdout.write(render_text(list(result.steps), language))
        changed = [use for use in result.parameters_used if not use.is_default]
        for use in changed:
            stdout.write(
                f"   * {use.name} = {use.value} (default {use.default}, {use.rule_id}, {use.status})"
            )


def write_eligibility(stdout: OutputWrapper, result: EligibilityResult, language: str) -> None:
    notice = result.as_dict()["advisory_notice_zh" if language.startswith("zh") else "advisory_notice_en"]
    stdout.write(notice)
    for route in result.routes:
        status = "OK" if route.is_allowed else "BLOCKED"
        stdout.write(f"\n[{status}] {route.route}: {route.label.for_language(language)}")
        for item in route.findings:
            stdout.write(
                f"   {item.severity.value:5} {'/'.join(item.rule_ids)}: {item.text.for_language(language)}"
            )
    for item in result.case_findings:
        stdout.write(f"   note  {'/'.join(item.rule_ids)}: {item.text.for_language(language)}")
    stdout.write(f"\nsuggested: {result.suggested_route}")
