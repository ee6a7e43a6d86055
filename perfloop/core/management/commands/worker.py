"""`perfloop worker [--burst]`: run the background worker of the configured tasks backend.

One command whatever carries the queue, so that deployment scripts and docs say `perfloop worker`:
with `PERFLOOP_TASKS_BACKEND=database` it is django-tasks-db's worker (the queue is a table; `SKIP LOCKED`
on PostgreSQL lets many workers share it), with `rq` it is an RQ worker on `PERFLOOP_REDIS_URL` using the
job class that runs Django tasks. With `immediate` (the default) tasks run inside the web process and
there is nothing for a worker to do, which the command says instead of waiting for ever.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

RQ_JOB_CLASS = "django_tasks_rq.Job"


class Command(BaseCommand):
    help = "Run the background worker of the configured tasks backend (database or Redis)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--burst", action="store_true", help="run what is queued now, then stop")

    def handle(self, *args: Any, **options: Any) -> None:
        backend = settings.TASKS["default"]["BACKEND"]
        burst = options["burst"]
        verbosity = options["verbosity"]
        if backend == settings.TASKS_BACKENDS["rq"]:
            queues = sorted(settings.TASKS["default"].get("QUEUES", ["default"]))
            call_command("rqworker", *queues, job_class=RQ_JOB_CLASS, burst=burst, verbosity=verbosity)
        elif backend == settings.TASKS_BACKENDS["database"]:
            call_command("db_worker", batch=burst, verbosity=verbosity)
        else:
            raise CommandError(
                "PERFLOOP_TASKS_BACKEND is 'immediate': tasks run inside the web process, so there is "
                "nothing for a worker to do. Set it to 'database' or 'rq' to run them in workers."
            )
