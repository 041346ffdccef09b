from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "shipdesk.customers"
    label = "customers"
