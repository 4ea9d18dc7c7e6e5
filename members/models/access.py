"""Who may act on a member: one rule, used by every scoped queryset."""

from django.db.models import Q


def _through(path: str, **lookups) -> Q:
    prefix = f"{path}__" if path else ""
    return Q(**{prefix + name: value for name, value in lookups.items()})


def open_account(path: str = "member") -> Q:
    """Rows whose member (reached through ``path``; "" for the user itself) has
    an open account: a member, not deactivated, not deleted."""
    return _through(path, is_staff=False, is_active=True, profile__forgotten_at__isnull=True)


def trained_by(user, path: str = "member") -> Q:
    """Rows whose member (reached through ``path``) ``user`` trains now: the
    member's profile names them as trainer, and the account is open. A
    superuser trains every open account.

    This is the one rule for who may act on a member or read their pages.
    Who assigned a block, invited the member or answered them before is
    history, never authority: once another trainer takes the member on, the
    former trainer has nothing of theirs, not even the blocks they ran (those
    sit on the member's page beside the current one). A member who deleted
    their account, or whose account was deactivated, is no one's."""
    rule = open_account(path)
    if not user.is_superuser:
        rule &= _through(path, profile__trainer=user)
    return rule


TRAINERS_GROUP = "Trainers"


def is_trainer(user) -> bool:
    """Trainers are staff in the Trainers group; a superuser may act as one."""
    if not user.is_authenticated or not user.is_staff:
        return False
    if user.is_superuser:
        return True
    if not hasattr(user, "_is_trainer"):
        user._is_trainer = user.groups.filter(name=TRAINERS_GROUP).exists()
    return user._is_trainer
