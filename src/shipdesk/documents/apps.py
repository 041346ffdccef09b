from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "shipdesk.documents"
    label = "documents"
