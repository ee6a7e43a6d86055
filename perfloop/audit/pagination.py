"""API list pages that record who was looked at, as the web pages do.

Every view of a person's performance or personal data is logged (product.md, "Audit"); for a list that
means one access row per person on the page returned — not per person the query could reach, and not
one row for the whole call, which would not say whose data left the system.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja.pagination import PageNumberPagination

from perfloop.audit.services import audit_views_bulk


class AuditedPages(PageNumberPagination):
    """``PageNumberPagination`` that records a view (``action``) of each person on the page; the person is
    read from each item's ``subject`` (an attribute or a key: ``employee_id`` unless said otherwise)."""

    def __init__(self, *, action: str, subject: str = "employee_id", **kwargs: Any) -> None:
        self.action = action
        self.subject = subject
        super().__init__(**kwargs)

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        page = super().paginate_queryset(queryset, pagination, request=request, **params)
        items = list(page[self.items_attribute])
        people = sorted({person for person in map(self._subject_of, items) if person is not None})
        if people:
            audit_views_bulk(
                actor=request.user,
                action=self.action,
                subject_employee_ids=people,
                details={"channel": "api", "path": request.path, "page": pagination.page},
            )
        return {**page, self.items_attribute: items}

    def _subject_of(self, item: Any) -> int | None:
        value = item.get(self.subject) if isinstance(item, dict) else getattr(item, self.subject, None)
        return int(value) if value is not None else None
