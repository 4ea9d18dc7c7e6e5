import datetime as dt
from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.html import format_html_join

from members.accounts.roles import trained_elsewhere_message
from members.blocks.services import already_on_a_block_message, repeated_blocks
from members.models import Assignment, Profile, User
from members.models.blocks import block_problems
from members.models.weekdays import WEEKDAY_CHOICES
from members.web.text import clock_text, one_line
from routines.models import Routine

# What a trainer's own settings say under each field.
TRAINER_HELP = {
    "pain_alerts": "Off: pain still shows first on your dashboard, and in the weekly digest.",
    "question_emails": "Off: they still wait for you under Questions, counted on your dashboard.",
    "photo": "A JPEG, PNG, WebP or GIF; your members see it small, beside your name.",
    "bio": "A line or two your members read on Today: who you are, when you are at the club.",
}


class PhotoInput(forms.ClearableFileInput):
    template_name = "forms/photo_input.html"


class ProfileForm(forms.ModelForm):
    """A member's settings; a trainer's, with the emails a trainer gets
    instead of session reminders, and the photo and few words their members
    see on Today."""

    TRAINERS_ONLY = ("weekly_digest", "pain_alerts", "question_emails", "photo", "bio")

    class Meta:
        model = Profile
        fields = [
            "display_name", "weaker_side", "units", "session_reminders", "weekly_digest",
            "pain_alerts", "question_emails", "photo", "bio",
        ]  # fmt: skip
        labels = {
            "session_reminders": "Email me on session mornings",
            "weekly_digest": "Email me a weekly digest",
            "pain_alerts": "Email me at once when a member reports pain",
            "question_emails": "Email me each new question and reply",
            "photo": "Your photo",
            "bio": "About you",
        }
        widgets = {
            "display_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "weaker_side": forms.RadioSelect,
            "units": forms.RadioSelect,
            "bio": forms.Textarea(attrs={"rows": 4}),
            "photo": PhotoInput,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("session_reminders", "weekly_digest", "pain_alerts", "question_emails"):
            self.fields[name].label_suffix = ""
        if self.instance.user.is_staff:
            del self.fields["session_reminders"]
            del self.fields["weaker_side"]  # no one-sided exercises of their own
            self.fields["display_name"].help_text = "What your members and the app call you."
            self.fields["weekly_digest"].help_text = (
                f"Every {settings.DIGEST_DAY.capitalize()} at "
                f"{clock_text(settings.DIGEST_TIME)}: who needs you and the blocks ending that "
                "week. Not sent when there is nothing to tell."
            )
            for name, text in TRAINER_HELP.items():
                self.fields[name].help_text = text
        else:
            for name in self.TRAINERS_ONLY:
                del self.fields[name]
            self.fields["session_reminders"].help_text = (
                f"At {clock_text(settings.REMINDER_TIME)} on each session day: what is due "
                "and where you left off last time."
            )

    def clean_bio(self):
        return self.cleaned_data["bio"].strip()

    def clean_display_name(self):
        name = one_line(self.cleaned_data["display_name"])
        if not name:
            raise forms.ValidationError("Tell us what to call you.")
        return name


def coming_monday(today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    return today + dt.timedelta(days=(7 - today.weekday()) % 7)


def _date_field(label: str, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=help_text,
        error_messages={"invalid": "Enter a date, such as 2026-12-01."},
    )


def _weekdays_field() -> forms.TypedMultipleChoiceField:
    return forms.TypedMultipleChoiceField(
        label="Training days",
        choices=WEEKDAY_CHOICES,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Pick the days of the week they train."},
    )


class BlockForm(forms.Form):
    """The shape of a block: routine, start, days and length. The rules live in
    ``block_problems`` so this form, the group action and the admin agree."""

    routine = forms.ModelChoiceField(
        queryset=Routine.objects.published(),
        empty_label=None,
        error_messages={"invalid_choice": "Pick a published routine."},
    )
    start_date = _date_field(
        "Start date", "The first day of week 1. Sessions fall on the chosen days from here."
    )
    weekdays = _weekdays_field()
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
        routine_field = cast(forms.ModelChoiceField, self.fields["routine"])
        routines = list(routine_field.queryset) if routine_field.queryset is not None else []
        routine_field.choices = [(r.pk, r.title) for r in routines]
        # Help text is rendered as HTML: the titles trainers typed are escaped here.
        self.fields["routine"].help_text = format_html_join(
            " ",
            "{}: {}, {}.",
            ((r.title, r.frequency_text.lower(), r.weeks_text) for r in routines),
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
        super().clean()
        cleaned = self.cleaned_data
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

    def __init__(self, *args, candidates=(), trainer: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.trainer = trainer
        # Any member may be assigned, but the page lists only the candidates the
        # trainer brought (their own members and anyone they looked up).
        self.fields["members"].widget.choices = [
            (user.pk, f"{user.display_name} · {user.email}") for user in candidates
        ]

    def clean_members(self):
        return list(self.cleaned_data["members"].select_related("profile"))

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        members = cleaned.get("members") or []
        on_a_block = set(
            Assignment.objects.current()
            .filter(member__in=members)
            .values_list("member_id", flat=True)
        )
        busy = sorted(user.display_name for user in members if user.pk in on_a_block)
        block: dict[str, Any] = {
            key: cleaned.get(key) for key in ["routine", "start_date", "weekdays", "weeks"]
        }
        # The same post sent twice finds the blocks it made: ``assign_routine``
        # answers with them.
        if busy and (None in block.values() or not repeated_blocks(members=members, **block)):
            self.add_error("members", already_on_a_block_message(busy))
        if self.trainer is not None and (
            refused := trained_elsewhere_message(trainer=self.trainer, members=members)
        ):
            self.add_error("members", refused)
        return cleaned


class ResumeForm(forms.Form):
    """Where a paused block picks up: the day, and the days of the week from then."""

    prefix = "resume"

    on = _date_field(
        "Resume on",
        "Their remaining sessions go on the days you tick, from this day: the week they "
        "stopped in starts over here.",
    )
    weekdays = _weekdays_field()

    def __init__(self, *args, assignment: Assignment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()
        self.fields["weekdays"].initial = assignment.weekday_list


class ExtendForm(forms.Form):
    prefix = "extend"
    weeks = forms.TypedChoiceField(label="Add", coerce=int)
    # The block's length on the page the trainer saw: the same post sent
    # twice extends once (see ``extend_block``).
    from_weeks = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, choices: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["weeks"]).choices = [
            (n, f"{n} week{'s' if n != 1 else ''}") for n in choices
        ]


class RenewForm(forms.Form):
    """Another block of the same routine, by default on the same days and length."""

    prefix = "renew"

    start_date = _date_field("Start date", "The first day of week 1 of the new block.")
    weekdays = _weekdays_field()
    weeks = forms.TypedChoiceField(label="Length", coerce=int)

    def __init__(self, *args, assignment: Assignment, start: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        routine = assignment.routine
        cast(forms.ChoiceField, self.fields["weeks"]).choices = [
            (n, f"{n} week{'s' if n != 1 else ''}")
            for n in range(routine.min_weeks, routine.max_weeks + 1)
        ]
        self.fields["start_date"].initial = start
        self.fields["weekdays"].initial = assignment.weekday_list
        self.fields["weeks"].initial = min(
            max(assignment.weeks, routine.min_weeks), routine.max_weeks
        )
