from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "perfloop.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from perfloop.accounts import personal_data

        personal_data.register()
