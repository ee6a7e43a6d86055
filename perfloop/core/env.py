"""Typed readers for PERFLOOP_* settings that fail loudly on a bad value.

A typo in a production environment variable must stop the process at start-up,
not silently fall back to a default.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


class SettingError(RuntimeError):
    pass


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise SettingError(f"{name} must be a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingError(f"{name} must be an integer, got {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def local_secret_key(path: Path) -> str:
    """The key kept in ``path``, made on first use: a random key per installation instead of a public default,
    readable by its owner only. Two processes starting together agree on one key (the file is created
    exclusively; the loser reads the winner's). A key that cannot be kept stops the process with what to do,
    rather than signing sessions with a key that changes at every start."""
    try:
        key = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        key = ""
    except OSError as exc:
        raise SettingError(f"cannot read the secret key in {path} ({exc}); set PERFLOOP_SECRET_KEY") from exc
    if key:
        return key
    key = secrets.token_urlsafe(50)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return local_secret_key(path)
    except OSError as exc:
        raise SettingError(f"cannot keep a secret key in {path} ({exc}); set PERFLOOP_SECRET_KEY") from exc
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key
