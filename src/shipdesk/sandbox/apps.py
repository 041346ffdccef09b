from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "shipdesk.sandbox"
    label = "sandbox"
