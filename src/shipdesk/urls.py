from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path


def health(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", health),
    path("ssapi/", include("shipdesk.api.urls")),
    path("", include("shipdesk.notifications.urls")),
    path("", include("shipdesk.documents.urls")),
    path("", include("shipdesk.carriers.urls")),
    path("", include("shipdesk.web.urls")),
]
