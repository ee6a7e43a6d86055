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


def env_required(name: str, when: str) -> str:
    """A variable that must be set in some configuration; ``when`` says which, in the error."""
    value = os.environ.get(name, "").strip()
    if not value:
        raise SettingError(f"{name} must be set {when}")
    return value


def env_choice(name: str, default: str, choices: list[str]) -> str:
    value = os.environ.get(name, "").strip() or default
    if value not in choices:
        raise SettingError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def local_secret_key(path: Path) -> str:
    """The key kept in ``path``, made on first use: a random key per installation instead of a public default,
    readable by its owner only. Two processes starting together agree on one key: the key is written whole
    to a file of its own, then linked into place only if no key is there yet (the loser reads the winner's).
    A key that cannot be kept, or a file that holds no key, stops the process with what to do, rather than
    signing sessions with a key that changes at every start."""
    key = _key_in(path)
    if key is not None:
        return key
    key = secrets.token_urlsafe(50)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(key + "\n")
        try:
            os.link(draft, path)  # atomic: fails if a key is in place already
        except FileExistsError:
            key = _key_in(path) or ""
        finally:
            draft.unlink()
    except OSError as exc:
        raise SettingError(f"cannot keep a secret key in {path} ({exc}); set PERFLOOP_SECRET_KEY") from exc
    if not key:
        raise SettingError(f"{path} holds no secret key: delete it, or set PERFLOOP_SECRET_KEY")
    return key


def _key_in(path: Path) -> str | None:
    """The key in ``path``; None when there is no file. An empty file is an error, not a missing key: it
    would be replaced by a new key, and every session signed with the lost one would end."""
    try:
        key = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingError(f"cannot read the secret key in {path} ({exc}); set PERFLOOP_SECRET_KEY") from exc
    if not key:
        raise SettingError(f"{path} holds no secret key: delete it, or set PERFLOOP_SECRET_KEY")
    return key
