from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "shipdesk.api"
    label = "api"
