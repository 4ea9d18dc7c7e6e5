"""The site's URLs plus the ceiling: the fastest answer Django can give through
the same middleware stack, to measure every page against in the same run."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from clubsite.urls import handler500  # noqa: F401 - the site's error pages
from clubsite.urls import urlpatterns as site


def ceiling(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ceiling", content_type="text/plain")


urlpatterns = [path("bench/ceiling/", ceiling), *site]
