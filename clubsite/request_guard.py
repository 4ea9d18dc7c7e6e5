"""Answer 400 to malformed input that would otherwise reach the database
and come back as a server error.

A NUL character, in any request's path or query string. PostgreSQL text
cannot hold NUL (0x00): a value with one that reaches a query raises
DataError, a 500. The admin's filters (``?status__exact=%00``), its
autocomplete (``term=%00``) and any view of ours that passes a query
parameter or a path segment to the database would each need its own check,
and a new one would be missed. No address the site hands out carries a NUL,
so refusing them all at the door costs nobody anything. Posted bodies are
not searched: Django's form fields already refuse NUL
(``ProhibitNullCharactersValidator``) with a message at the field.

A part of a date no date has (``?started_at__year=0``, a year past 9999,
a month of 13): the admin's date filters and date hierarchy pass it to a
year, month or day lookup, and building the date range for it fails with a
500. Our own pages never ask for one.

An admin action posted with a selected id that is not an id of the model
(``_selected_action=x``): Django's admin filters ``pk__in`` with it, and the
conversion fails with a 500. Every admin view carries its ``model_admin``,
so one check here covers every registered model, third-party ones included.
"""

import logging

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

logger = logging.getLogger("django.security.RequestGuard")

NUL = "\x00"

# The date-part lookups a query string can name, and the values each can hold.
DATE_PARTS = {
    "year": range(1, 10000),
    "iso_year": range(1, 10000),
    "quarter": range(1, 5),
    "month": range(1, 13),
    "week": range(1, 54),
    "day": range(1, 32),
    "week_day": range(1, 8),
    "iso_week_day": range(1, 8),
}


def has_nul(request: HttpRequest) -> bool:
    """True when the decoded path, or any name or value of the decoded
    query string, holds a NUL. ``%00`` and a raw NUL byte decode alike."""
    if NUL in request.path:
        return True
    return any(
        NUL in name or any(NUL in value for value in values)
        for name, values in request.GET.lists()
    )


def has_impossible_date_part(request: HttpRequest) -> bool:
    """True when a ``…__year``, ``…__month`` (and the like) parameter holds
    anything but a number that part of a date can be."""
    for name, values in request.GET.lists():
        allowed = DATE_PARTS.get(name.rsplit("__", 1)[-1]) if "__" in name else None
        if allowed is None:
            continue
        for value in values:
            if not (value.isascii() and value.isdigit() and len(value) <= 5):
                return True
            if int(value) not in allowed:
                return True
    return False


def _refuse(request: HttpRequest, what: str) -> HttpResponse:
    logger.warning("Refused %s in %s %r", what, request.method, request.get_full_path()[:200])
    return HttpResponseBadRequest(
        f"This request holds {what}, which no page here accepts.",
        content_type="text/plain; charset=utf-8",
    )


def _bad_selection(model_admin, values: list[str]) -> bool:
    pk = model_admin.model._meta.pk
    for value in values:
        if NUL in value:
            return True
        try:
            pk.to_python(value)
        except ValidationError:
            return True
    return False


class RequestGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if has_nul(request):
            return _refuse(request, "a NUL character")
        if has_impossible_date_part(request):
            return _refuse(request, "a date no calendar has")
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        model_admin = getattr(view_func, "model_admin", None)
        # Reading the posted form here is what CSRF's check does next anyway.
        if model_admin is None or request.method != "POST":
            return None
        if _bad_selection(model_admin, request.POST.getlist(ACTION_CHECKBOX_NAME)):
            return _refuse(request, "a selected id that is not one")
        return None
