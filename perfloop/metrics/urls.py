from django.urls import path

from perfloop.metrics import views

app_name = "metrics"

urlpatterns = [
    path("org/", views.org_overview, name="org_overview"),
    path("teams/<int:unit_id>/", views.team_dashboard, name="team_dashboard"),
    path("people/<int:employee_id>/", views.person_page, name="person"),
]
