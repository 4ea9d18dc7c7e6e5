import sys

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults
from django.views.static import serve
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from clubsite.ranges import ranged_file
from routines.images import CONTENT_TYPES as IMAGE_CONTENT_TYPES
from routines.videos import CONTENT_TYPES as VIDEO_CONTENT_TYPES

# Seconds a client is asked to wait when the database cannot be reached.
RETRY_AFTER = 30


def landing(request: HttpRequest) -> HttpResponse:
    """What the club offers, for visitors; signed-in people go to their home."""
    if request.user.is_authenticated:
        return redirect("members:home")
    return render(request, "landing.html")


def admin_login(request: HttpRequest) -> HttpResponse:
    """Everyone signs in through allauth, so its rate limits and mandatory email
    verification hold for the admin too; a signed-in member gets the 403 page
    instead of the admin's bare "not authorized" form."""
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    next_url = next_url or reverse("admin:index")
    if not request.user.is_authenticated:
        return redirect_to_login(next_url)
    if not request.user.is_staff:
        raise PermissionDenied
    return redirect(next_url)


def favicon(request: HttpRequest) -> HttpResponse:
    return redirect(static("img/favicon.svg"), permanent=True)


def media(request: HttpRequest, path: str) -> HttpResponseBase:
    """Trainers' uploads (exercise pictures and videos, trainers' photos): a
    few files, served by the app.

    Only pictures and videos, each with the type its extension names (uploads
    are stored under a name we made from what the content is), never
    sniffed, never able to run script: anything else under /media/ is a 404,
    so a file that came in some other way is never served inline from the
    club's origin. Videos are served in ranges, so a phone can seek."""
    extension = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    if extension in VIDEO_CONTENT_TYPES:
        response = ranged_file(request, path, VIDEO_CONTENT_TYPES[extension])
    elif extension in IMAGE_CONTENT_TYPES:
        response = serve(request, path, document_root=str(settings.MEDIA_ROOT))
        response["Content-Type"] = IMAGE_CONTENT_TYPES[extension]
    else:
        raise Http404("Not a picture or a video.")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    # Opened on its own, a file needs nothing from the page around it.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    # A name is never given to other bytes (each upload gets a new one), so a
    # phone keeps what it fetched (not a refusal, such as a range past the end).
    if response.status_code in {200, 206}:
        response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page; or, when the database cannot be reached (restarting,
    failing over, out of connections), a 503 that says to try again, with
    Retry-After. Django calls this while handling the exception, from any
    layer of middleware, so ``sys.exc_info()`` names it; it has been logged
    already. Like 500.html, the page renders without the request's context,
    which would read the session from the database."""
    error = sys.exc_info()[1]
    # The shared cache (Redis, where REDIS_URL is set) out of reach is the same
    # passing fault: sign-in and the contact form count their limits there.
    unreachable = OperationalError | InterfaceError | RedisConnectionError | RedisTimeoutError
    if not isinstance(error, unreachable):
        return defaults.server_error(request)
    if request.headers.get("HX-Request") == "true":
        # htmx does not swap an error answer: the logger shows its own retry note.
        body = (
            '<p class="message message-error" role="alert">Not saved: try again in a minute.</p>'
        )
    else:
        again = request.get_full_path() if request.method == "GET" else ""
        body = loader.get_template("503.html").render({"again": again})
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response
