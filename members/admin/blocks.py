"""Blocks, their planned sessions, and a member's own version of a step."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from clubsite.admin_base import ReadOnlyInline
from members.accounts.roles import trained_elsewhere_message
from members.admin.scoping import TrainerScopedAdmin
from members.blocks import steering
from members.blocks.services import already_on_a_block_message, start_block
from members.models import (
    Assignment,
    PlannedSession,
    StepOverride,
    TrainerNote,
    User,
)
from members.models.access import open_account, trained_by
from members.models.weekdays import WEEKDAY_CHOICES, weekdays_to_mask


class PlannedSessionInline(ReadOnlyInline):
    model = PlannedSession
    fields = ("number", "week", "date", "status")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("workouts")

    @admin.display(description="status")
    def status(self, obj):
        return PlannedSession.Status(obj.status_on(timezone.localdate())).label


class AssignmentAdminForm(forms.ModelForm):
    weekdays = forms.TypedMultipleChoiceField(
        label="Training days",
        choices=WEEKDAY_CHOICES,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text="As many days as the routine's sessions per week.",
    )

    class Meta:
        model = Assignment
        fields = ["member", "routine", "trainer", "start_date", "weekdays", "weeks", "status"]

    assigner: User | None = None  # who assigns: set by AssignmentAdmin.get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["weekdays"] = self.instance.weekday_list

    def clean_member(self):
        member = self.cleaned_data["member"]
        # A deleted or deactivated account is closed: a block would put it
        # back on the dashboard and in the reminders.
        if not User.objects.filter(open_account(""), pk=member.pk).exists():
            raise ValidationError("This account is closed: it cannot start a block.")
        # The database constraint's condition is on ``status``, which this form
        # does not show, so the model's own check skips it: ask here.
        if Assignment.objects.current().filter(member=member).exists():
            raise ValidationError(already_on_a_block_message([member.display_name]))
        # Starting a block makes the assigner the member's trainer: a trainer
        # may not take over another's member (a superuser hands over).
        if self.assigner is not None and (
            refused := trained_elsewhere_message(trainer=self.assigner, members=[member])
        ):
            raise ValidationError(refused)
        return member

    def clean_weekdays(self):
        days = self.cleaned_data["weekdays"]
        if len(set(days)) != len(days):
            raise ValidationError("Each day can be picked only once.")
        return weekdays_to_mask(days)


class AssignmentChangeForm(forms.ModelForm):
    """After planning, only the notes change here. The status moves through the
    actions (pause, resume, extend, end, renew), which re-plan the sessions."""

    class Meta:
        model = Assignment
        fields = ["notes"]


class TrainerNoteInline(ReadOnlyInline):
    """Notes are written on the member's page, where they are emailed."""

    model = TrainerNote
    fields = ("created_at", "workout", "text", "author", "sent_at")


@admin.register(Assignment)
class AssignmentAdmin(TrainerScopedAdmin):
    # Once planned, a block's shape is shown, not edited: re-planning (pause,
    # resume, extend) belongs to the member detail page.
    list_display = [
        "member",
        "routine",
        "trainer",
        "start_date",
        "training_days",
        "weeks",
        "status",
    ]
    planned_fields = [*list_display, "paused_on", "ended_on", "member_page"]
    actions = ["pause", "resume_same_days", "extend_one_week", "end_early", "renew_same_shape"]
    list_filter = ["status", "routine", "start_date"]
    list_select_related = ["member", "routine", "trainer"]
    search_fields = ["member__email", "member__profile__display_name"]
    autocomplete_fields = ["member"]
    date_hierarchy = "start_date"
    inlines = [PlannedSessionInline, TrainerNoteInline]

    def get_form(self, request, obj=None, change=False, **kwargs):
        # The add form checks the member is free or the assigner's own.
        add_form = type("AssignmentAddForm", (AssignmentAdminForm,), {"assigner": request.user})
        kwargs["form"] = AssignmentChangeForm if obj else add_form
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj:
            return [*self.planned_fields, "notes"]
        fields = ["member", "routine", "start_date", "weekdays", "weeks", "notes"]
        return ["trainer", *fields] if request.user.is_superuser else fields

    def get_readonly_fields(self, request, obj=None):
        return self.planned_fields if obj else []

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    @admin.display(description="training days")
    def training_days(self, obj):
        return obj.weekdays_text

    @admin.display(description="steer")
    def member_page(self, obj):
        url = reverse("trainer:member", args=[obj.member_id])
        return format_html(
            '<a href="{}#steer">On the member\'s page</a>: resume on other days, renew with '
            "another start or length, the member's own numbers, notes.",
            url,
        )

    def _steer(self, request, queryset, move, done: str):
        """Apply ``move`` to each selected block; say what happened to each."""
        changed = 0
        for assignment in queryset.select_related("member__profile", "routine"):
            try:
                move(assignment)
            except ValidationError as error:
                self.message_user(
                    request, f"{assignment.member}: {' '.join(error.messages)}", messages.ERROR
                )
            else:
                changed += 1
        if changed:
            self.message_user(request, f"{done}: {changed} block(s).", messages.SUCCESS)

    @admin.action(description="Pause the selected blocks", permissions=["change"])
    def pause(self, request, queryset):
        self._steer(request, queryset, lambda a: steering.pause_block(assignment=a), "Paused")

    @admin.action(description="Resume from today on the same days", permissions=["change"])
    def resume_same_days(self, request, queryset):
        self._steer(
            request,
            queryset,
            lambda a: steering.resume_block(
                assignment=a, on=timezone.localdate(), weekdays=a.weekday_list
            ),
            "Resumed",
        )

    @admin.action(description="Extend by one week", permissions=["change"])
    def extend_one_week(self, request, queryset):
        self._steer(
            request, queryset, lambda a: steering.extend_block(assignment=a, weeks=1), "Extended"
        )

    @admin.action(description="End the selected blocks now", permissions=["change"])
    def end_early(self, request, queryset):
        self._steer(request, queryset, lambda a: steering.end_block(assignment=a), "Ended")

    @admin.action(
        description="Renew: another block on the same days and length", permissions=["change"]
    )
    def renew_same_shape(self, request, queryset):
        today = timezone.localdate()
        self._steer(
            request,
            queryset,
            lambda a: steering.renew_block(
                assignment=a,
                trainer=request.user,
                start_date=steering.next_start(a, today),
                weekdays=a.weekday_list,
                weeks=a.weeks,
            ),
            "Renewed",
        )

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        if not request.user.is_superuser or not obj.trainer_id:
            obj.trainer = request.user
        block = start_block(assignment=obj)
        if obj.pk != block.pk:
            # The same form, posted at once, made it: the admin goes on with that row.
            obj.pk = block.pk
            obj.refresh_from_db()

    def has_delete_permission(self, request, obj=None):
        # A block's history matters: end it instead. Superusers may still delete.
        return request.user.is_superuser


@admin.register(StepOverride)
class StepOverrideAdmin(TrainerScopedAdmin):
    """A member's own numbers for a step. The member detail page offers the same,
    with the routine's steps and knobs to choose from."""

    list_display = ["member", "step", "summary", "set_by", "updated_at"]
    list_select_related = ["member", "step__exercise", "knob", "set_by"]
    search_fields = ["member__email", "member__profile__display_name", "step__exercise__name"]
    autocomplete_fields = ["member"]
    fields = [
        "member",
        "step",
        "sets",
        "reps",
        "duration_seconds",
        "knob",
        "knob_value",
        "knob_level",
        "note",
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is None or field.queryset is None:  # never so for these foreign keys
            return field
        if db_field.name in {"step", "knob"}:
            field.queryset = field.queryset.select_related("exercise")
        if db_field.name == "member" and not request.user.is_superuser:
            field.queryset = field.queryset.filter(trained_by(request.user, ""))
        return field

    def save_model(self, request, obj, form, change):
        obj.set_by = request.user
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)
