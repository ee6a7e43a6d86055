"""Second-factor codes as people type them, and what a device's throttle says: pure helpers, no queries."""

from __future__ import annotations

import datetime as dt
import re
from base64 import b32encode
from binascii import unhexlify

import segno

RECOVERY_CODES = 10
# A sign-in that passed its first step (the password, or the company's single sign-on) waits this long for its
# code before it must start again; until then the (not yet signed-in) session keeps this entry only.
PENDING_SECONDS = 300
PENDING_KEY = "perfloop_second_factor_pending"
_SEPARATORS = re.compile(r"[\s\-]+")


def normalised_code(typed: str) -> str:
    """What someone typed, as the devices compare it: no spaces or dashes (apps show ``123 456``), lower case
    (recovery codes are printed in lower case and read out in any case)."""
    return _SEPARATORS.sub("", typed or "").lower()


def grouped_secret(hex_key: str) -> str:
    """A TOTP key as people type it into an app that cannot scan: base32 in groups of four."""
    text = b32encode(unhexlify(hex_key)).decode("ascii").rstrip("=")
    return " ".join(text[start : start + 4] for start in range(0, len(text), 4))


def seconds_to_wait(locked_until: dt.datetime | None, now: dt.datetime) -> int:
    """Whole seconds until a throttled device accepts a code again (at least one)."""
    if locked_until is None:
        return 1
    return max(1, int((locked_until - now).total_seconds() + 0.999))


def qr_svg(text: str) -> str:
    """An inline SVG QR code (no style attribute, so the content security policy allows it)."""
    return str(segno.make(text, error="m").svg_inline(scale=5, dark="#111827", light="#ffffff", border=2))


def pending_sign_in(
    *, user_id: int, backend: str, next_url: str, method: str, at: float
) -> dict[str, object]:
    """What the session keeps of a sign-in waiting for its code: whose, through which backend and first step,
    where to go after it, and since when."""
    return {"user": user_id, "backend": backend, "next": next_url, "method": method, "at": at}
