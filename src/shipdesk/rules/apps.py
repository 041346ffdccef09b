from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "shipdesk.rules"
    label = "rules"
