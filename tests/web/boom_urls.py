"""The site's URLs plus a page that fails, to see what a 500 leaves in the log."""

from django.urls import include, path


def boom(request):
    raise RuntimeError("the label printer caught fire")


urlpatterns = [path("boom/", boom), path("", include("shipdesk.urls"))]
