"""Background entry points: thin wrappers over the services (the web enqueues them after commit)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from perfloop.imports.services import import_batch_run, import_upload_check


@task()
def import_batch_task(batch_id: int, actor_id: int | None = None) -> dict[str, Any]:
    """Process an upload the importer confirmed; safe to retry (a processed batch is left alone)."""
    return import_batch_run(batch_id=batch_id, actor_id=actor_id).as_dict()


@task()
def import_upload_check_task(batch_id: int, actor_id: int | None = None) -> dict[str, Any] | None:
    """Judge a received upload as a whole for its preview; safe to retry (a judged upload is left alone)."""
    check = import_upload_check(batch_id=batch_id, actor_id=actor_id)
    return check.as_dict() if check is not None else None
