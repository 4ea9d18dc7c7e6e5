"""The Trainers group and the one list of permissions it carries.

Later features add their models' permissions to ``TRAINER_PERMISSIONS``; the
list is applied after every migrate (and after a test database flush).
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db.models import QuerySet

from members.models import Profile, User
from members.models.access import TRAINERS_GROUP, trained_by

TRAINER_PERMISSIONS = [
    # Look up any member by name or email, to invite or assign them.
    "members.view_user",
    "members.view_profile",
    # Invite members and put them on routines (the admin scopes these to the
    # trainer's own members).
    *[f"members.{action}_invitation" for action in ["add", "change", "delete", "view"]],
    *[f"members.{action}_assignment" for action in ["add", "change", "view"]],
    "members.view_plannedsession",
    "members.view_workout",
    "members.view_setlog",
    "members.view_knobsetting",
    "members.view_painflag",
    "members.change_painflag",
    # Steer blocks: a member's own numbers, and notes to members.
    *[f"members.{action}_stepoverride" for action in ["add", "change", "delete", "view"]],
    "members.view_trainernote",
    # Questions addressed to the trainer, and the emails about them.
    "members.view_question",
    "members.change_question",
    "members.view_emaildelivery",
    # Author exercises and routines. Not "routines.publish_routine": a routine's
    # author publishes and unpublishes it; a club admin grants that permission
    # to a head trainer by hand, so no trainer takes back another's routine.
    *[
        f"routines.{action}_{model}"
        for model in ["exercise", "knob", "routine", "step", "equipment", "bodyarea"]
        for action in ["add", "change", "delete", "view"]
    ],
]

# Never granted: whoever can change users can make themself a superuser.
FORBIDDEN_PERMISSIONS = frozenset(
    {
        "members.add_user",
        "members.change_user",
        "members.delete_user",
        "auth.add_group",
        "auth.change_group",
        "auth.delete_group",
        "auth.add_permission",
        "auth.change_permission",
        "auth.delete_permission",
    }
)


def apply_trainer_permissions(*, using="default", apps=global_apps, verbosity=0):
    """Create the Trainers group if needed and give it exactly TRAINER_PERMISSIONS."""
    forbidden = FORBIDDEN_PERMISSIONS.intersection(TRAINER_PERMISSIONS)
    if forbidden:
        raise ValueError(f"Trainers must never hold {sorted(forbidden)}.")
    # On a fresh database the permissions of apps migrated after this one do not
    # exist yet when this runs: create them all first.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=verbosity, using=using, apps=apps)
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    group, _ = group_model.objects.using(using).get_or_create(name=TRAINERS_GROUP)
    wanted = {tuple(name.split(".", 1)) for name in TRAINER_PERMISSIONS}
    permissions = [
        permission
        for permission in permission_model.objects.using(using).select_related("content_type")
        if (permission.content_type.app_label, permission.codename) in wanted
    ]
    found = {(p.content_type.app_label, p.codename) for p in permissions}
    missing = wanted - found
    if missing:
        names = sorted(f"{app}.{codename}" for app, codename in missing)
        raise LookupError(f"TRAINER_PERMISSIONS names permissions that do not exist: {names}")
    group.permissions.set(permissions)
    return group


def apply_trainer_permissions_after_migrate(sender, *, using, verbosity=0, **kwargs) -> None:
    """``post_migrate`` receiver: every migrate leaves the group's permissions exact."""
    apply_trainer_permissions(using=using, verbosity=verbosity)


def trained_elsewhere_message(*, trainer: User, members: list[User]) -> str | None:
    """Why ``trainer`` may not put these members on a block, or None.

    Putting someone on a block makes the assigning trainer theirs, so a trainer
    may take only members with no trainer now or their own; otherwise any
    trainer could take a member over (and read their history) the moment a
    block ends. A superuser may: that is how a club admin hands a member over."""
    if trainer.is_superuser:
        return None
    others = (
        Profile.objects.filter(user__in=[member.pk for member in members])
        .exclude(trainer=None)
        .exclude(trainer=trainer)
        .select_related("user", "trainer__profile")
        .order_by("display_name")
    )
    refusals = [
        f"{profile.user.display_name} trains with {theirs.display_name}. "
        f"{theirs.display_name} or a club admin can hand "
        f"{profile.user.display_name} over."
        for profile in others
        if (theirs := profile.trainer) is not None  # the query left out no one else
    ]
    return " ".join(refusals) or None


def members_of(trainer: User) -> QuerySet[User]:
    """The members a trainer trains now (``trained_by``); a superuser, everyone.
    A member another trainer took on, or who deleted their account, is not
    theirs any more."""
    return User.objects.filter(trained_by(trainer, ""))
