from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "shipdesk.web"
    label = "web"
