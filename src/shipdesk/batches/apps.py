from django.apps import AppConfig


class BatchesConfig(AppConfig):
    name = "shipdesk.batches"
    label = "batches"
    verbose_name = "Batches"
