from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "perfloop.core"
    label = "core"
