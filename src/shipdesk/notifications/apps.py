from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "shipdesk.notifications"
    label = "notifications"
