"""Field shapes the members' models share, declared once."""

from django.conf import settings
from django.db import models


def member_key(related_name: str) -> models.ForeignKey:
    """The member a row belongs to: it goes when their account is deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name=related_name
    )
