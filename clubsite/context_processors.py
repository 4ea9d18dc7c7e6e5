from django.conf import settings

from clubsite.pwa import offline_key


def club(request):
    """The club's name and contact address, shown in the layout and emails."""
    return {
        "CLUB_NAME": settings.CLUB_NAME,
        "CLUB_CONTACT_EMAIL": settings.CLUB_CONTACT_EMAIL,
        "SIGNUP_OPEN": settings.SIGNUP_OPEN,
    }


def offline(request):
    """Who the installable app keeps pages for on this page: a member's key, or
    "" (signed out, or staff), which makes the phone drop what it kept."""
    user = getattr(request, "user", None)
    return {"OFFLINE_MEMBER": offline_key(user) if user is not None else ""}
