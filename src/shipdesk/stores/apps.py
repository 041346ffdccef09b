from django.apps import AppConfig


class StoresConfig(AppConfig):
    name = "shipdesk.stores"
    label = "stores"
