"""Refuse a NUL character in a request's path or query string, for every URL.

PostgreSQL text cannot hold NUL (0x00): a value with one that reaches a
query raises DataError, a 500. The admin's filters (``?status__exact=%00``),
its autocomplete (``term=%00``) and any view of ours that passes a query
parameter or a path segment to the database would each need its own check,
and a new one would be missed. No address the site hands out carries a NUL,
so refusing them all at the door costs nobody anything.

Posted bodies are not read here: reading them in a middleware would parse
uploads before a view could choose how, and Django's form fields already
refuse NUL (``ProhibitNullCharactersValidator``) with a message at the field.
"""

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

logger = logging.getLogger("django.security.NulCharacter")

NUL = "\x00"


def has_nul(request: HttpRequest) -> bool:
    """True when the decoded path, or any name or value of the decoded
    query string, holds a NUL. ``%00`` and a raw NUL byte decode alike."""
    if NUL in request.path:
        return True
    return any(
        NUL in name or any(NUL in value for value in values)
        for name, values in request.GET.lists()
    )


class RejectNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if has_nul(request):
            logger.warning("Refused a NUL character in %r", request.get_full_path()[:200])
            return HttpResponseBadRequest(
                "This address holds a NUL character, which no page here accepts.",
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
