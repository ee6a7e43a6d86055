"""Background entry points: thin wrappers over the services (the web enqueues them after commit)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from perfloop.imports.services import import_batch_run


@task()
def import_batch_task(batch_id: int, actor_id: int | None = None) -> dict[str, Any]:
    """Process an upload the importer confirmed; safe to retry (a processed batch is left alone)."""
    return import_batch_run(batch_id=batch_id, actor_id=actor_id).as_dict()
