from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "perfloop.imports"
    label = "imports"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from perfloop.imports import personal_data

        personal_data.register()
