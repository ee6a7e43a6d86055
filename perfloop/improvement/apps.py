from django.apps import AppConfig


class ImprovementConfig(AppConfig):
    name = "perfloop.improvement"
    label = "improvement"
    default_auto_field = "django.db.models.BigAutoField"
