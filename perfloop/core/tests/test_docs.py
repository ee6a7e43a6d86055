"""The docs mention every setting, command and API endpoint — so nothing ships undocumented."""

import re
from pathlib import Path

import pytest
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[3]
DOCS = ROOT / "docs"


def _doc(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def _all_docs() -> str:
    """Each app documents its own commands and endpoints in its own page."""
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(DOCS.glob("*.md")))


def test_every_setting_is_documented():
    settings_source = (ROOT / "perfloop" / "settings.py").read_text(encoding="utf-8")
    names = set(re.findall(r'"(PERFLOOP_[A-Z_]+|DATABASE_URL)"', settings_source))
    missing = sorted(name for name in names if f"`{name}`" not in _doc("configuration.md"))
    assert missing == []


def test_every_perfloop_command_is_documented():
    ours = sorted(name for name, app in get_commands().items() if app.startswith("perfloop."))
    text = _all_docs()
    missing = [name for name in ours if f"perfloop {name.replace('_', '-')}" not in text]
    assert missing == []


@pytest.mark.django_db
def test_every_api_endpoint_is_documented():
    from perfloop.api import api

    paths = api.get_openapi_schema()["paths"]
    text = re.sub(r"{[^}]+}", "{}", _all_docs())
    missing = [
        f"{method.upper()} {path}"
        for path, operations in paths.items()
        for method in operations
        if f"{method.upper()} {re.sub(r'{[^}]+}', '{}', path)}" not in text
    ]
    assert missing == []
