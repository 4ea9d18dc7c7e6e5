"""The link in every session reminder that stops reminders, and the page it
leads to, which asks first and can turn them back on.

The link carries a signed token naming the member, so it works signed in or
not (and signed in as someone else changes only the member it names).

Mail-security scanners open every link in an email before the member does,
so opening the link (a GET) only shows the page; its button, or the mail
app's own unsubscribe button (RFC 8058), posts to turn reminders off."""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from members.models import User
from members.nudges import services as nudges
from members.web.requests import HtmxHttpRequest
from members.web.text import clock_text

ONE_CLICK = "One-Click"


def _member(token: str) -> User:
    member = nudges.member_for_token(token)
    if member is None:
        raise Http404("This link is not valid.")
    return member


def _masked(email: str) -> str:
    """a•••@example.com: enough to recognise, not to harvest."""
    name, _, domain = email.partition("@")
    return f"{name[:1]}•••@{domain}"


def _first_name(member: User) -> str:
    """The first word of the name the member gave, or nothing: whoever holds
    the link (a scanner, a forwarded email) learns no more than that. Not the
    fallback ``display_name``, which is the email's local part."""
    profile = getattr(member, "profile", None)
    words = profile.display_name.split() if profile is not None else []
    return words[0] if words else ""


def _page(
    request: HtmxHttpRequest, member: User, token: str, *, asking: bool, on: bool | None = None
) -> HttpResponse:
    if on is None:
        profile = getattr(member, "profile", None)
        on = profile is None or profile.session_reminders
    return render(
        request,
        "members/reminders.html",
        {
            "first_name": _first_name(member),
            "masked_email": _masked(member.email),
            "on": on,
            "asking": asking,
            "token": token,
            "reminder_time": clock_text(settings.REMINDER_TIME),
        },
    )


@require_GET
def reminders(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """Whether reminders are on, with the one button that changes it."""
    return _page(request, _member(token), token, asking=False)


# The mail app's one-click unsubscribe (RFC 8058) posts the body
# ``List-Unsubscribe=One-Click`` with no cookie and no CSRF token, so this view
# is exempt from Django's CSRF check. That is safe because nothing here acts
# on the visitor's session: the signed token in the address names the member
# and is the whole of the authority, and whoever holds it (the email's
# recipient) could post from anywhere, CSRF or not. A forged or altered token
# is a 404. All a post can do is stop reminder emails, which the page it
# leads to, or Settings, turns back on. The page's own button posts here too.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def reminders_off(request: HtmxHttpRequest, token: str) -> HttpResponse:
    member = _member(token)
    if request.method == "GET":
        # Opened from the email, or by a scanner: ask, change nothing.
        return _page(request, member, token, asking=True)
    nudges.set_reminders(member, False)
    if request.POST.get("List-Unsubscribe") == ONE_CLICK:
        # A mail app, not a browser: answer here rather than send it elsewhere.
        return _page(request, member, token, asking=False, on=False)
    return redirect("reminders", token=token)


@require_http_methods(["GET", "POST"])
def reminders_on(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """Turns them on from the page's form (CSRF-checked: the page set the
    cookie); opened as a link, shows the page."""
    member = _member(token)
    if request.method == "POST":
        nudges.set_reminders(member, True)
    return redirect("reminders", token=token)
