from django.apps import AppConfig


class SeparationConfig(AppConfig):
    name = "perfloop.separation"
    label = "separation"
    default_auto_field = "django.db.models.BigAutoField"
