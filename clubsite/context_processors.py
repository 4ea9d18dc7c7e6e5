from django.conf import settings


def club(request):
    """The club's name and contact address, shown in the layout and emails."""
    return {
        "CLUB_NAME": settings.CLUB_NAME,
        "CLUB_CONTACT_EMAIL": settings.CLUB_CONTACT_EMAIL,
        "SIGNUP_OPEN": settings.SIGNUP_OPEN,
    }
