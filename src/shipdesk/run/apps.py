from django.apps import AppConfig


class RunConfig(AppConfig):
    name = "shipdesk.run"
    label = "run"
