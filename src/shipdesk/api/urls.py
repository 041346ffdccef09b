"""Mounted at /ssapi/ by shipdesk.urls. Unknown paths answer a JSON 404, like the API's own."""

from django.http import JsonResponse
from django.urls import re_path
from django.views.decorators.csrf import csrf_exempt

from shipdesk.api.api import api


@csrf_exempt  # API clients send no CSRF token: a 404 must not turn into a 403
def no_such_endpoint(request, rest: str):
    return JsonResponse({"message": f"no API endpoint at {request.path}"}, status=404)


app_name = "ssapi"
urlpatterns = [*api.urls[0], re_path(r"^(?P<rest>.*)$", no_such_endpoint)]
