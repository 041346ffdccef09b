from django.urls import include, path

urlpatterns = [path("", include("shipdesk.notifications.urls"))]
