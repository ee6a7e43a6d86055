from collections.abc import Callable

from django.http import HttpResponseBase
from django.urls import path
from django.views.generic import RedirectView

from perfloop.monitoring import policy_views, views

app_name = "monitoring"

urlpatterns = [
    path("org/", views.org_overview, name="org_overview"),
    path("org/export.xlsx", views.org_export, name="org_export"),
    path("teams/<int:unit_id>/", views.team_dashboard, name="team_dashboard"),
    path("teams/<int:unit_id>/export.xlsx", views.team_export, name="team_export"),
    path("people/<int:employee_id>/", views.person_page, name="person"),
    path("people/<int:employee_id>/export.xlsx", views.person_export, name="person_export"),
    path("alerts/<int:alert_id>/acknowledge/", views.alert_acknowledge_view, name="alert_acknowledge"),
    path("alerts/<int:alert_id>/resolve/", views.alert_resolve_view, name="alert_resolve"),
    path("closes/", policy_views.closes, name="closes"),
    path("rules/", policy_views.rules, name="rules"),
    path("rules/new/", policy_views.rule_edit, name="rule_new"),
    path("rules/<int:rule_id>/", policy_views.rule_edit, name="rule_edit"),
]


def _moved(name: str) -> Callable[..., HttpResponseBase]:
    return RedirectView.as_view(pattern_name=f"monitoring:{name}", permanent=True, query_string=True)


# The dashboards lived under /metrics/ before they moved to monitoring; links in old e-mails,
# notifications and bookmarks keep working.
metrics_redirects = [
    path("org/", _moved("org_overview")),
    path("teams/<int:unit_id>/", _moved("team_dashboard")),
    path("people/<int:employee_id>/", _moved("person")),
]
