from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "perfloop.monitoring"
    label = "monitoring"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from perfloop.monitoring import personal_data

        personal_data.register()
