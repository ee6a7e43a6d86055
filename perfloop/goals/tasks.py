"""Background entry points of goals: thin wrappers over the services, safe to retry.

An import is all or nothing and re-importing the same file creates no new versions (unchanged
values are skipped), so a retried task does no harm.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django_tasks import task

from perfloop.core.months import Month
from perfloop.goals.models import Channel
from perfloop.goals.selectors import PeopleFilter, actor_get, team_get_for, template_get_for
from perfloop.goals.services import goals_import, template_assign
from perfloop.org.models import Position


@task()
def goals_import_task(
    *, path: str, username: str, publish: bool = False, reason: str = "", justification: str = ""
) -> dict[str, Any]:
    """Import a goals file that was saved to ``path`` (see `perfloop goals-import`)."""
    file = Path(path)
    result = goals_import(
        actor=actor_get(username=username),
        content=file.read_bytes(),
        filename=file.name,
        publish=publish,
        reason=reason,
        justification=justification,
        channel=Channel.SYSTEM,
    )
    return result.as_dict()


@task()
def template_assign_task(
    *,
    template_id: int,
    username: str,
    first: str,
    last: str,
    org_unit_id: int | None = None,
    include_subunits: bool = True,
    position_code: str = "",
    grade: str = "",
    justification: str = "",
) -> dict[str, Any]:
    """Give a template to everyone matching a filter, for very large organisations run off the request."""
    actor = actor_get(username=username)
    assignment = template_assign(
        actor=actor,
        template=template_get_for(viewer=actor, template_id=template_id),
        first=Month.parse(first),
        last=Month.parse(last),
        people=PeopleFilter(
            org_unit=team_get_for(viewer=actor, unit_id=org_unit_id) if org_unit_id else None,
            include_subunits=include_subunits,
            position=Position.objects.filter(code=position_code).first() if position_code else None,
            grade=grade,
        ),
        justification=justification,
        channel=Channel.SYSTEM,
    )
    return {
        "assignment": assignment.pk,
        "people": assignment.people,
        "goals_created": assignment.goals_created,
        "versions_created": assignment.versions_created,
        "skipped_agreed": assignment.skipped_agreed,
    }
