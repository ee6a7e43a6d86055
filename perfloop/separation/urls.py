"""Pages of the separation module."""

from django.urls import path

from perfloop.separation import views

app_name = "separation"

urlpatterns = [
    path("calculator/", views.calculator, name="calculator"),
]
