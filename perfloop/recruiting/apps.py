from django.apps import AppConfig


class RecruitingConfig(AppConfig):
    name = "perfloop.recruiting"
    label = "recruiting"
    default_auto_field = "django.db.models.BigAutoField"
