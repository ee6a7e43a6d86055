from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "perfloop.core"
    label = "core"

    def ready(self) -> None:
        from perfloop.core import checks  # noqa: F401 - registers the deployment checks
