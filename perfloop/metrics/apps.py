from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "perfloop.metrics"
    label = "metrics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from perfloop.metrics import personal_data

        personal_data.register()
