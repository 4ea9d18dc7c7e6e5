"""Writes that span several models: inviting members and putting them on a routine."""

import datetime as dt

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from members.models import Assignment, Invitation, PlannedSession, Profile, User
from members.models.blocks import block_problems, plan_dates, weekdays_to_mask
from members.models.invitations import INVITATION_LIFETIME, REPEAT_WINDOW, new_token
from routines.models import Routine


class InvitationUnusable(Exception):
    """The link was used already or has expired; ``reason`` says which."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@transaction.atomic
def invite_member(
    *, trainer: User, email: str, display_name: str
) -> tuple[Invitation, str | None]:
    """Make (or reuse) the member's account, waiting for a password, and an
    invitation from ``trainer``; returns the invitation and its link's secret.

    The address stays unverified until the member follows the link. Someone who
    has already set a password is not invited: the form says so first. The
    secret is None when the same invitation was made a moment ago (a double tap,
    two tabs): the member gets one email, and its link keeps working."""
    email = User.objects.normalize_email(email).lower()
    member = _account_to_invite(email)
    if member.has_usable_password():
        raise ValidationError({"email": "This person already has an account."})
    # Inviting makes the inviter their trainer: not someone another trainer has.
    if refused := trained_elsewhere_message(trainer=trainer, members=[member]):
        raise ValidationError({"email": refused})
    # Locks the profile: identical invitations of one person go one at a time.
    Profile.objects.update_or_create(
        user=member, defaults={"display_name": display_name.strip(), "trainer": trainer}
    )
    invitation = member.invitations.pending().select_for_update().first()
    if invitation is not None and invitation.state == Invitation.State.PENDING:
        # The form refuses a live invitation, so this one was made since it
        # checked: by an identical post. Answer with it, and send nothing more.
        return invitation, None
    if invitation is not None:
        token = invitation.renew()
        invitation.invited_by = trainer
        invitation.send_count += 1
        invitation.save()
        return invitation, token
    token, token_hash = new_token()
    invitation = Invitation.objects.create(
        member=member,
        invited_by=trainer,
        token_hash=token_hash,
        expires_at=timezone.now() + INVITATION_LIFETIME,
    )
    return invitation, token


def _account_to_invite(email: str) -> User:
    """The account for ``email``, made without a password if there is none."""
    member = User.objects.filter(email__iexact=email).first()
    if member is not None:
        return member
    try:
        with transaction.atomic():
            member = User(email=email)
            member.set_unusable_password()
            member.save()
            EmailAddress.objects.create(user=member, email=email, verified=False, primary=True)
    except IntegrityError:
        # An identical post made the account between our look and our insert.
        return User.objects.get(email__iexact=email)
    return member


@transaction.atomic
def resend_invitation(*, invitation: Invitation) -> str | None:
    """A new link for a pending or expired invitation; the old link stops working.

    None when it went moments ago (the same tap twice, or posts at once):
    renewing again would kill the link in the email just sent."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:
        raise InvitationUnusable("used")
    if invitation.just_sent:
        return None
    token = invitation.renew()
    invitation.send_count += 1
    invitation.save(update_fields=["token_hash", "sent_at", "expires_at", "send_count"])
    return token


@transaction.atomic
def accept_invitation(*, invitation: Invitation, password: str) -> User:
    """Set the member's password and verify their address, once.

    The row is locked, so two tabs submitting the same link cannot both succeed."""
    invitation = (
        Invitation.objects.select_for_update().select_related("member").get(pk=invitation.pk)
    )
    if invitation.accepted_at:
        raise InvitationUnusable("used")
    if invitation.state == Invitation.State.EXPIRED:
        raise InvitationUnusable("expired")
    member = invitation.member
    member.set_password(password)
    member.is_active = True
    member.save(update_fields=["password", "is_active"])
    EmailAddress.objects.filter(user=member).exclude(email__iexact=member.email).update(
        primary=False
    )
    EmailAddress.objects.update_or_create(
        user=member, email=member.email, defaults={"verified": True, "primary": True}
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return member


@transaction.atomic
def assign_routine(
    *,
    trainer: User,
    members: list[User],
    routine: Routine,
    start_date: dt.date,
    weekdays: list[int],
    weeks: int,
    notes: str = "",
) -> list[Assignment]:
    """Put each member on ``routine`` with the same start and days, and date every
    session of their blocks.

    The rules are checked once for the whole group and the rows are written with
    ``bulk_create``: the same handful of queries for one member or thirty. The
    assigning trainer becomes each member's trainer."""
    problems = block_problems(routine=routine, weekdays=weekdays, weeks=weeks)
    if problems:
        raise ValidationError(problems)
    members = list(members)
    if refused := trained_elsewhere_message(trainer=trainer, members=members):
        raise ValidationError({"members": refused})
    weekdays = sorted({int(day) for day in weekdays})
    block = {"routine": routine, "start_date": start_date, "weekdays": weekdays, "weeks": weeks}
    busy = sorted(
        user.display_name
        for user in User.objects.filter(
            pk__in=[member.pk for member in members],
            assignments__status__in=Assignment.CURRENT_STATUSES,
        ).select_related("profile")
    )
    if busy:
        # The same post sent twice finds the blocks it made: answer with them.
        if repeated := repeated_blocks(trainer=trainer, members=members, **block):
            return repeated
        raise ValidationError({"members": already_on_a_block_message(busy)})
    try:
        with transaction.atomic():
            assignments = Assignment.objects.bulk_create(
                [
                    Assignment(
                        member=member,
                        routine=routine,
                        trainer=trainer,
                        start_date=start_date,
                        weekdays=weekdays_to_mask(weekdays),
                        weeks=weeks,
                        notes=notes,
                    )
                    for member in members
                ]
            )
    except IntegrityError as error:
        # Another request put one of them on a block since the check above:
        # the same post sent twice answers with the blocks the first made.
        if repeated := repeated_blocks(trainer=trainer, members=members, **block):
            return repeated
        raise ValidationError(
            {"members": "Someone in this group was just put on a block. Reload and try again."}
        ) from error
    _plan_sessions(assignments)
    Profile.objects.filter(user__in=members).update(trainer=trainer)
    return assignments


@transaction.atomic
def start_block(*, assignment: Assignment) -> Assignment:
    """Save one block the admin's form has validated, and date its sessions.
    The same form posted twice at once answers with the block the first made."""
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:
        repeated = repeated_blocks(
            trainer=assignment.trainer,
            members=[assignment.member],
            routine=assignment.routine,
            start_date=assignment.start_date,
            weekdays=assignment.weekday_list,
            weeks=assignment.weeks,
        )
        if repeated is None:
            raise
        return repeated[0]
    _plan_sessions([assignment])
    Profile.objects.filter(user=assignment.member_id).update(trainer=assignment.trainer_id)
    return assignment


def _plan_sessions(assignments: list[Assignment]) -> None:
    """Date every session of blocks that share (or not) a start and days: one insert."""
    PlannedSession.objects.bulk_create(
        PlannedSession(assignment=assignment, number=number, week=week, date=day)
        for assignment in assignments
        for number, (week, day) in enumerate(
            plan_dates(assignment.start_date, assignment.weekday_list, assignment.weeks),
            start=1,
        )
    )


def repeated_blocks(
    *,
    members: list[User],
    routine: Routine,
    start_date: dt.date,
    weekdays: list[int],
    weeks: int,
    trainer: User | None = None,
) -> list[Assignment] | None:
    """The current blocks of ``members``, in their order, when an identical
    post (a double tap, two posts at once) made them moments ago: the answer
    to give that post again. None when any member's block is not such a one."""
    if not members:
        return None
    blocks = Assignment.objects.current().filter(
        member__in=members,
        routine=routine,
        start_date=start_date,
        weekdays=weekdays_to_mask(weekdays),
        weeks=weeks,
        created_at__gte=timezone.now() - REPEAT_WINDOW,
    )
    if trainer is not None:
        blocks = blocks.filter(trainer=trainer)
    by_member = {block.member_id: block for block in blocks.select_related("routine")}
    if set(by_member) != {member.pk for member in members}:
        return None
    return [by_member[member.pk] for member in members]


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
        f"{profile.user.display_name} trains with {profile.trainer.display_name}. "
        f"{profile.trainer.display_name} or a club admin can hand "
        f"{profile.user.display_name} over."
        for profile in others
    ]
    return " ".join(refusals) or None


def already_on_a_block_message(names: list[str]) -> str:
    if len(names) == 1:
        return f"{names[0]} is already on a block. End it before starting another."
    return f"Already on a block: {', '.join(names)}. End their blocks before starting new ones."
