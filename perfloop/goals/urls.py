from django.urls import path

from perfloop.goals import views

app_name = "goals"

urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.my_goals, name="mine"),
    path("mine/confirm/", views.confirm_all, name="confirm_all"),
    path("team/<int:unit_id>/", views.team_grid, name="team"),
    path("team/<int:unit_id>/action/", views.team_action, name="team_action"),
    path("goals/<int:goal_id>/", views.goal_detail, name="goal"),
    path("goals/<int:goal_id>/confirm/", views.goal_confirm, name="confirm"),
    path("goals/<int:goal_id>/dispute/", views.goal_dispute, name="dispute"),
    path("goals/<int:goal_id>/revise/", views.goal_revise, name="revise"),
    path("goals/<int:goal_id>/answer/", views.goal_answer, name="answer"),
    path("goals/<int:goal_id>/publish/", views.goal_publish, name="publish"),
    path("people/<int:employee_id>/<str:month>/", views.record, name="record"),
    path("templates/", views.template_list, name="templates"),
    path("templates/<int:template_id>/", views.template_detail, name="template"),
    path("templates/<int:template_id>/preview/", views.template_preview, name="template_preview"),
    path("templates/<int:template_id>/assign/", views.template_assign, name="template_assign"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/<int:plan_id>/", views.plan_detail, name="plan"),
    path("plans/<int:plan_id>/action/", views.plan_action, name="plan_action"),
    path("summary/", views.summary, name="summary"),
]
