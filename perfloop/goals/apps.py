from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "perfloop.goals"
    label = "goals"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from perfloop.goals import personal_data

        personal_data.register()
