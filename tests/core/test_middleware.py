import gc

from django.http import HttpResponse
from django.test import RequestFactory

from shipdesk.core.middleware import freeze_after_first_request


def test_the_first_request_freezes_what_is_loaded_and_later_ones_leave_it():
    # Given the middleware around a view, and nothing frozen yet
    gc.unfreeze()
    calls = []

    def view(request):
        calls.append(request.path)
        return HttpResponse("ok")

    middleware = freeze_after_first_request(view)
    loaded_later = []

    # When two requests go through, with objects created after the first
    first = middleware(RequestFactory().get("/one"))
    frozen = gc.get_freeze_count()
    loaded_later.extend([] for _ in range(5000))  # tracked by the collector
    second = middleware(RequestFactory().get("/two"))

    # Then both were answered, the first froze the loaded objects, the second froze nothing
    assert (calls, first.content, second.content) == (["/one", "/two"], b"ok", b"ok")
    assert frozen > 1000
    assert gc.get_freeze_count() < frozen + 5000  # (a frozen object may since have died)
    gc.unfreeze()
