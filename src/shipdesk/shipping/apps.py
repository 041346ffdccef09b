from django.apps import AppConfig


class ShippingConfig(AppConfig):
    name = "shipdesk.shipping"
    label = "shipping"
