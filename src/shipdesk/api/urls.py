"""Mounted at /ssapi/ by shipdesk.urls. Unknown paths answer a JSON 404, and a method an
endpoint does not take a JSON 405, like the API's own errors."""

from functools import wraps

from django.http import HttpResponseNotAllowed, JsonResponse
from django.urls import re_path
from django.views.decorators.csrf import csrf_exempt

from shipdesk.api.api import api


@csrf_exempt  # API clients send no CSRF token: a 404 must not turn into a 403
def no_such_endpoint(request, rest: str):
    return JsonResponse({"message": f"no API endpoint at {request.path}"}, status=404)


def json_not_allowed(view):
    """django-ninja answers a method no operation of the path takes with a text 405."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            response = JsonResponse(
                {"message": f"{request.method} is not allowed on {request.path}: use {allowed}"},
                status=405,
            )
            response["Allow"] = allowed
        return response

    return wrapped


app_name = "ssapi"
# [\s\S]: a path with a newline in it (%0A) is unknown too, not Django's HTML 404.
urlpatterns = [*api.urls[0], re_path(r"^(?P<rest>[\s\S]*)$", no_such_endpoint)]
for pattern in urlpatterns[:-1]:
    pattern.callback = json_not_allowed(pattern.callback)
