from django.apps import AppConfig


class CarriersConfig(AppConfig):
    name = "shipdesk.carriers"
    label = "carriers"
    verbose_name = "Carriers"
