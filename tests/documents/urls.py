from django.urls import include, path

urlpatterns = [path("", include("shipdesk.documents.urls"))]
