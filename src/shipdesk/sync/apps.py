from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "shipdesk.sync"
    label = "sync"
