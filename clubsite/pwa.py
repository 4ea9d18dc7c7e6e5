"""The installable app: its web app manifest, its service worker, the page the
worker shows offline, and which pages it may keep for a member.

The server decides what a phone keeps: a page named in ``OFFLINE_PAGES``
answers a signed-in member with the ``X-Offline-Page`` header
(``OfflineAppMiddleware``), naming the
member by an opaque key; the worker keeps only such answers, in a cache of
that key, and drops every other member's cache when it sees a new key
(templates/pwa/sw.js says how). Trainers, signed-out visitors, allauth's
pages, the admin and downloads never carry the header, so nothing of theirs is
ever kept on a shared phone."""

import hashlib
import json
from collections.abc import Callable

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.views.decorators.http import require_safe

OFFLINE_HEADER = "X-Offline-Page"
# Sent by the worker when it fetches a page to keep, in the background: such a
# page shows no one-time messages, which are for the page the member has open
# (templates/messages.html), so a keep run never takes them away from it.
KEEP_HEADER = "X-Offline-Keep"
# The pages a phone keeps for its member, by URL name: what they need at the
# gym with no signal. Today lists the ones to fetch ahead (its offline-pages).
OFFLINE_PAGES = {
    "members:home",
    "members:program",
    "routines:guide",
    "members:workout",
    "members:planned",
}
# The app shell: what every member page loads, and the guide's own styles,
# kept when the worker installs, so any kept page opens offline looking like
# the site. The site uses the phone's own fonts: there are no font files to keep.
SHELL = [
    "css/site.css",
    "css/guide.css",
    "django_htmx/htmx-2.min.js",
    "js/pwa.js",
    "js/logger.js",
    "js/outbox.js",
    "js/copy.js",
    "img/favicon.svg",
    "img/icon-192.png",
    "img/apple-touch-icon.png",
]
# With debug on (``make run``), ``{% htmx_script %}`` also loads django-htmx's
# error-page helper: kept too, or a kept page logs a failed load offline.
DEBUG_SHELL = ["django_htmx/django-htmx.js"]
# The PNGs bin/make_icons.py draws from the club's mark: (file, size, purpose).
ICONS = [
    ("icon-192.png", "192x192", "any"),
    ("icon-512.png", "512x512", "any"),
    ("icon-maskable-512.png", "512x512", "maskable"),
]
# The header's colour (--brand-dark) and the page's (--paper) in static/css/site.css.
THEME_COLOUR = "#073f33"
BACKGROUND_COLOUR = "#fbfaf7"


def offline_key(user) -> str:
    """The key a member's kept pages go under, or "" for anyone whose pages a
    phone must not keep: signed-out visitors and staff (trainers, admins).
    Opaque (not the account's id) and stable, so the worker can tell one
    member from the next on a shared phone."""
    if not user.is_authenticated or user.is_staff:
        return ""
    key = salted_hmac("clubsite.pwa.offline_key", str(user.pk), algorithm="sha256")
    return key.hexdigest()[:24]


@require_safe
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: what "Add to Home Screen" and installing need."""
    data = {
        "id": reverse("members:home"),
        "name": "Ground Up",
        "short_name": "Ground Up",
        "description": f"Log your sessions at {settings.CLUB_NAME}, with or without signal.",
        "start_url": reverse("members:home"),
        # The whole site: the routine guide lives outside /me/.
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {"src": static(f"img/{name}"), "sizes": size, "type": "image/png", "purpose": purpose}
            for name, size, purpose in ICONS
        ],
    }
    response = JsonResponse(data, content_type="application/manifest+json")
    response["Cache-Control"] = "no-cache"
    return response


def shell_files() -> list[str]:
    return SHELL + DEBUG_SHELL if settings.DEBUG else SHELL


def static_version() -> str:
    """Changes whenever a deploy changes a static file: the hash of
    whitenoise's manifest (staticfiles.json, every file's hashed name), or,
    without one (development, tests), of the shell's own files."""
    digest = hashlib.sha256()
    manifest_name = getattr(staticfiles_storage, "manifest_name", None)
    if manifest_name and staticfiles_storage.exists(manifest_name):
        with staticfiles_storage.open(manifest_name) as stored:
            digest.update(stored.read())
    else:
        for path in shell_files():
            found = finders.find(path)
            if isinstance(found, str):
                with open(found, "rb") as source:
                    digest.update(source.read())
    return digest.hexdigest()[:16]


@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    """The worker, at the site's root so that its scope is every page. Its
    bytes carry the static version: after a deploy the browser sees a new
    worker, which keeps the new shell and drops the old."""
    offline_url = reverse("offline")
    config = {
        "version": static_version(),
        "shell": [static(path) for path in shell_files()] + [reverse("manifest"), offline_url],
        "offline": offline_url,
        "static": settings.STATIC_URL,
        "manifest": reverse("manifest"),
        "logout": reverse("account_logout"),
        "header": OFFLINE_HEADER,
        "keepHeader": KEEP_HEADER,
    }
    body = render_to_string("pwa/sw.js", {"config": json.dumps(config, indent=2)})
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    # Asked again on every check: a deploy reaches phones on their next visit.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


@require_safe
def offline(request: HttpRequest) -> HttpResponse:
    """What the worker shows for a page it has not kept, with no signal. It is
    kept signed out (the worker asks for it without cookies), so it holds
    nothing of anyone's."""
    return render(request, "offline.html")


class OfflineAppMiddleware:
    """What the server tells the installable app about each answer.

    - A member's page in ``OFFLINE_PAGES`` carries ``X-Offline-Page`` with the
      member's key: the worker may keep it for them (Today, Program, the
      routine guide, the logger). Nothing else does, so a trainer's, a
      visitor's, allauth's, the admin's pages and downloads are never kept.
    - Signing out tells the browser to drop its HTTP cache of the site
      (``Clear-Site-Data: "cache"``): on a shared phone the next person must
      not find the last member's pages in it. Not "storage": that would also
      wipe the outbox's IndexedDB, with sets not yet sent. The worker drops
      its own kept pages when it sees the sign-out post (templates/pwa/sw.js).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = request.resolver_match
        if request.method == "GET" and response.status_code == 200:
            offline = match is not None and match.view_name in OFFLINE_PAGES
            if key := (offline_key(request.user) if offline else ""):
                response[OFFLINE_HEADER] = key
        elif (
            request.method == "POST"
            and request.path == reverse("account_logout")
            and 300 <= response.status_code < 400
        ):
            response["Clear-Site-Data"] = '"cache"'
        return response
