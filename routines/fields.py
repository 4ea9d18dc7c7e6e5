"""Field shapes the club's models share, declared once."""

from django.db import models


def optional_key(to, *, on_delete, related_name: str, help_text: str = "") -> models.ForeignKey:
    """A link a row may lack: NULL in the database, and left empty in the admin's
    forms. ``on_delete`` says what the row does when the other one goes."""
    return models.ForeignKey(
        to,
        on_delete=on_delete,
        null=True,
        blank=True,
        related_name=related_name,
        help_text=help_text,
    )
