"""Sign-up details and a trainer's invitations, one person or a group."""

from django import forms

from members.accounts.roles import trained_elsewhere_message
from members.models import Assignment, Invitation, Profile, User
from members.web.text import one_line


class SignupDetailsForm(forms.Form):
    """What allauth's signup form asks beyond email and password."""

    display_name = forms.CharField(
        label="Your name",
        max_length=80,
        help_text="What your trainer will call you.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def signup(self, request, user):
        Profile.objects.create(user=user, display_name=one_line(self.cleaned_data["display_name"]))


def invitee_name(value: str) -> str:
    """The name a trainer typed for someone they invite, on one line."""
    name = one_line(value)
    if not name:
        raise forms.ValidationError("Enter the member's name.")
    return name


def invitee_email(value: str, *, trainer: User | None) -> str:
    """The address of someone ``trainer`` invites, refused where they have an
    account, a pending invitation, a block or another trainer already."""
    email = User.objects.normalize_email(value).lower()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is None:
        return email
    if existing.is_staff:
        raise forms.ValidationError("This address belongs to a trainer.")
    if existing.has_usable_password():
        raise forms.ValidationError(
            f"{existing.display_name} already has an account: find them under "
            "Members and put them on a routine instead."
        )
    pending = existing.invitations.pending().first()
    # One sent moments ago is this same post, repeated: it goes through to
    # the same answer (see ``invite_member``).
    if (
        pending is not None
        and pending.state == Invitation.State.PENDING
        and not (pending.just_sent)
    ):
        raise forms.ValidationError(
            f"{existing.display_name} was invited on {pending.sent_at:%b %-d}. "
            "Use “Send again” on the Members page if the email went astray."
        )
    # Inviting makes the inviter their trainer: not while another's block
    # runs (their trainer sends the invitation again from Members).
    if Assignment.objects.current().filter(member=existing).exists():
        raise forms.ValidationError(
            f"{existing.display_name} is on a block already: their trainer can send "
            "the invitation again from the Members page."
        )
    # Inviting makes the inviter their trainer: not someone another has.
    if trainer is not None and (
        refused := trained_elsewhere_message(trainer=trainer, members=[existing])
    ):
        raise forms.ValidationError(refused)
    return email


class InvitationForm(forms.Form):
    """A trainer invites someone new by name and email."""

    display_name = forms.CharField(
        label="Name",
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": "Enter the member's name."},
        help_text="What the member likes to be called.",
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={"required": "Enter their email address."},
        help_text="The invitation goes here. The link works for 14 days.",
    )

    def __init__(self, *args, trainer: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.trainer = trainer

    def clean_display_name(self):
        return invitee_name(self.cleaned_data["display_name"])

    def clean_email(self):
        return invitee_email(self.cleaned_data["email"], trainer=self.trainer)


class GroupInvitationForm(forms.Form):
    """Several people at once, one per line: “Name, email” or “Name <email>”."""

    MAX_PEOPLE = 50

    people = forms.CharField(
        label="People to invite",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6, "autocomplete": "off", "spellcheck": "false"}),
        help_text="One person per line: their name, a comma, then their email. "
        "For example: Sam Park, sam@example.com",
    )

    def __init__(self, *args, trainer: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.trainer = trainer

    def clean_people(self):
        people, problems, seen = [], [], set()
        lines = [line.strip() for line in self.cleaned_data["people"].splitlines()]
        lines = [line for line in lines if line]
        if len(lines) > self.MAX_PEOPLE:
            raise forms.ValidationError(f"Invite at most {self.MAX_PEOPLE} people at a time.")
        for number, line in enumerate(lines, start=1):
            name, email = _split_person(line)
            single = InvitationForm({"display_name": name, "email": email}, trainer=self.trainer)
            if not single.is_valid():
                errors = [str(e) for field in single.errors.values() for e in field]
                problems.append(f"Line {number} ({line}): {' '.join(errors)}")
                continue
            email = single.cleaned_data["email"]
            if email in seen:
                problems.append(f"Line {number} ({line}): This address is listed twice.")
                continue
            seen.add(email)
            people.append((single.cleaned_data["display_name"], email))
        if problems:
            raise forms.ValidationError(problems)
        if not people:
            raise forms.ValidationError("Add at least one person.")
        return people


def _split_person(line: str) -> tuple[str, str]:
    if "<" in line and line.endswith(">"):
        name, _, email = line[:-1].partition("<")
    else:
        name, _, email = line.rpartition(",")
        if "@" in name and "@" not in email:  # "email, name" works too
            name, email = email, name
    return name.strip().strip(","), email.strip()
