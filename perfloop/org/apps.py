from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "perfloop.org"
    label = "org"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from perfloop.org import personal_data

        personal_data.register()
