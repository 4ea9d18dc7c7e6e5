import datetime as dt

from django import forms
from django.utils import timezone

from members.models import Assignment, Invitation, Profile, User
from members.models.blocks import WEEKDAY_CHOICES, block_problems
from members.services import already_on_a_block_message
from routines.models import Routine


class SignupDetailsForm(forms.Form):
    """What allauth's signup form asks beyond email and password."""

    display_name = forms.CharField(
        label="Your name",
        max_length=80,
        help_text="What your trainer will call you.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def signup(self, request, user):
        Profile.objects.create(user=user, display_name=self.cleaned_data["display_name"].strip())


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["display_name", "weaker_side", "units"]
        widgets = {
            "display_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "weaker_side": forms.RadioSelect,
            "units": forms.RadioSelect,
        }

    def clean_display_name(self):
        name = self.cleaned_data["display_name"].strip()
        if not name:
            raise forms.ValidationError("Tell us what to call you.")
        return name


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

    def clean_display_name(self):
        name = self.cleaned_data["display_name"].strip()
        if not name:
            raise forms.ValidationError("Enter the member's name.")
        return name

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
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
        if pending is not None and pending.state == Invitation.State.PENDING:
            raise forms.ValidationError(
                f"{existing.display_name} was invited on {pending.sent_at:%b %-d}. "
                "Use “Send again” on the Members page if the email went astray."
            )
        return email


def coming_monday(today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    return today + dt.timedelta(days=(7 - today.weekday()) % 7)


class BlockForm(forms.Form):
    """The shape of a block: routine, start, days and length. The rules live in
    ``block_problems`` so this form, the group action and the admin agree."""

    routine = forms.ModelChoiceField(
        queryset=Routine.objects.published(),
        empty_label=None,
        error_messages={"invalid_choice": "Pick a published routine."},
    )
    start_date = forms.DateField(
        label="Start date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="The first day of week 1. Sessions fall on the chosen days from here.",
    )
    weekdays = forms.TypedMultipleChoiceField(
        label="Training days",
        choices=WEEKDAY_CHOICES,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Pick the days of the week they train."},
    )
    weeks = forms.IntegerField(
        label="Length in weeks",
        min_value=1,
        max_value=52,
        error_messages={
            "min_value": "A block lasts at least 1 week.",
            "max_value": "A block lasts at most 52 weeks.",
            "invalid": "Enter the number of weeks, such as 4.",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    notes = forms.CharField(
        label="Notes for trainers",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional. Members do not see this.",
    )

    # How far back a start date may go: far enough to record a block begun in
    # person last week, not so far that most of it is born missed.
    EARLIEST_START = dt.timedelta(days=14)
    LATEST_START = dt.timedelta(days=366)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        routines = list(self.fields["routine"].queryset)
        self.fields["routine"].choices = [(r.pk, r.title) for r in routines]
        self.fields["routine"].help_text = " ".join(
            f"{r.title}: {r.frequency_text.lower()}, {r.weeks_text}." for r in routines
        )
        self.fields["start_date"].initial = coming_monday()
        self.fields["weekdays"].initial = [0, 3]
        self.fields["weeks"].initial = routines[0].max_weeks if routines else 4

    def clean_start_date(self):
        start = self.cleaned_data["start_date"]
        today = timezone.localdate()
        if start < today - self.EARLIEST_START:
            raise forms.ValidationError(
                f"Start no earlier than {today - self.EARLIEST_START:%b %-d, %Y}: older "
                "sessions would all count as missed."
            )
        if start > today + self.LATEST_START:
            raise forms.ValidationError("Start within the next year.")
        return start

    def block_arguments(self) -> dict:
        """The cleaned block, as ``assign_routine`` takes it."""
        fields = ["routine", "start_date", "weekdays", "weeks", "notes"]
        return {name: self.cleaned_data[name] for name in fields}

    def clean(self):
        cleaned = super().clean()
        problems = block_problems(
            routine=cleaned.get("routine"),
            weekdays=cleaned.get("weekdays"),
            weeks=cleaned.get("weeks"),
        )
        for field, message in problems.items():
            self.add_error(field, message)
        return cleaned


class AssignForm(BlockForm):
    """Put one member, or a group starting together, on a routine."""

    members = forms.ModelMultipleChoiceField(
        label="Members",
        queryset=User.objects.filter(is_staff=False, is_active=True),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tick at least one member."},
    )

    field_order = ["members", "routine", "start_date", "weekdays", "weeks", "notes"]

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Any member may be assigned, but the page lists only the candidates the
        # trainer brought (their own members and anyone they looked up).
        self.fields["members"].widget.choices = [
            (user.pk, f"{user.display_name} · {user.email}") for user in candidates
        ]

    def clean_members(self):
        members = list(self.cleaned_data["members"].select_related("profile"))
        on_a_block = set(
            Assignment.objects.current()
            .filter(member__in=members)
            .values_list("member_id", flat=True)
        )
        busy = sorted(user.display_name for user in members if user.pk in on_a_block)
        if busy:
            raise forms.ValidationError(already_on_a_block_message(busy))
        return members


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

    def clean_people(self):
        people, problems, seen = [], [], set()
        lines = [line.strip() for line in self.cleaned_data["people"].splitlines()]
        lines = [line for line in lines if line]
        if len(lines) > self.MAX_PEOPLE:
            raise forms.ValidationError(f"Invite at most {self.MAX_PEOPLE} people at a time.")
        for number, line in enumerate(lines, start=1):
            name, email = _split_person(line)
            single = InvitationForm({"display_name": name, "email": email})
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
