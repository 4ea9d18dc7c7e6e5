"""The site's URLs plus the bench's two yardsticks, both through the same
middleware stack, to measure every page against in the same run:

- the ceiling: the fastest answer Django can give, a plain HttpResponse;
- the floor: the cheapest page a signed-in member can get, the site's layout
  rendered for them (their session, their user, the base template).
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from clubsite.urls import handler500  # noqa: F401 - the site's error pages
from clubsite.urls import urlpatterns as site


def ceiling(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ceiling", content_type="text/plain")


@login_required
def floor(request: HttpRequest) -> HttpResponse:
    return render(request, "bench/floor.html")


urlpatterns = [path("bench/ceiling/", ceiling), path("bench/floor/", floor), *site]
