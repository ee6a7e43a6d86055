"""The listing of mapping profiles that `perfloop import --list-profiles` and `perfloop import-profile list`
both print: one listing, so that the two doors never disagree."""

from __future__ import annotations

import json

from django.core.management.base import OutputWrapper

from perfloop.imports.profiles import KINDS
from perfloop.imports.selectors import profile_list
from perfloop.imports.services import presets_install


def write_profile_list(stdout: OutputWrapper, *, as_json: bool) -> None:
    """Every profile (the shipped presets, installed on first use, and the company's own) by name."""
    presets_install()
    profiles = list(profile_list())
    if as_json:
        stdout.write(
            json.dumps(
                [
                    {
                        "name": profile.name,
                        "kind": profile.kind,
                        "label": profile.label,
                        "source_kind": profile.source_kind,
                        "is_preset": profile.is_preset,
                        "revision": profile.revision,
                    }
                    for profile in profiles
                ],
                ensure_ascii=False,
            )
        )
        return
    for profile in profiles:
        stdout.write(f"{profile.name:<24} {profile.kind:<13} {profile.label}")
    stdout.write("kinds: " + ", ".join(KINDS))
