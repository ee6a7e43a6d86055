"""A real import process for the atomicity test, driven from the command line.

    python -m perfloop.imports.tests.crash_import setup            # migrate a fresh database, add two reps
    python -m perfloop.imports.tests.crash_import import FILE      # import, stopping just before the commit
    python -m perfloop.imports.tests.crash_import import FILE --through   # import normally
    python -m perfloop.imports.tests.crash_import check            # print what the database holds, as JSON

The database comes from the environment (``PERFLOOP_VAR_DIR`` for SQLite, ``DATABASE_URL`` for PostgreSQL).
"""

from __future__ import annotations

import json
import os
import sys
import time


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfloop.settings")
    import django

    django.setup()
    command = argv[0]
    if command == "setup":
        _setup()
    elif command == "import":
        _import(argv[1], through="--through" in argv)
    elif command == "check":
        _check()


def _setup() -> None:
    import datetime as dt

    from django.core.management import call_command

    from perfloop.org.models import Employee, Position
    from perfloop.org.services import org_unit_create

    call_command("migrate", verbosity=0)
    unit = org_unit_create(actor=None, code="SALES", name="销售部")
    position = Position.objects.create(code="sales_rep", name="销售代表")
    for number, name in (("E1", "李明"), ("E2", "陈静")):
        Employee.objects.create(
            employee_number=number, name=name, hire_date=dt.date(2022, 1, 1), position=position, org_unit=unit
        )
    print("READY", flush=True)


def _import(path: str, *, through: bool) -> None:
    from perfloop.imports.services import import_file

    def progress(phase: str, fraction: float) -> None:
        # "committing" is reported inside the transaction after every row is written: the worst moment to die.
        if phase == "committing" and not through:
            print("HALFWAY", flush=True)
            time.sleep(120)

    outcome = import_file(
        actor=None,
        source="crm",
        profile="crm-deals-cn",
        path_or_bytes=path,
        first="2025-03",
        progress=progress,
    )
    print(json.dumps({"status": outcome.batch.status}), flush=True)


def _check() -> None:
    from perfloop.imports.models import (
        BatchEvents,
        CoverageClaim,
        FactChange,
        ImportBatch,
        QuarantinedRow,
    )
    from perfloop.metrics.models import MonthlyFact

    print(
        json.dumps(
            {
                "facts": MonthlyFact.objects.count(),
                "claims": CoverageClaim.objects.count(),
                "quarantined": QuarantinedRow.objects.count(),
                "events": BatchEvents.objects.count(),
                "changes": FactChange.objects.count(),
                "batches": sorted(ImportBatch.objects.values_list("status", flat=True)),
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main(sys.argv[1:])
