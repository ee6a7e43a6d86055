"""The `perfloop` console command: a thin alias for Django management commands.

``perfloop demo``, ``perfloop run``, ``perfloop close-month 2025-06`` … map to
``manage.py demo`` / ``run`` / ``close_month``: dashes become underscores so the
CLI reads naturally while every command stays a plain management command.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfloop.settings")
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
