from allauth.account.models import EmailAddress
from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import ngettext
from django_tasks_db.models import DBTaskResult

from clubsite.admin_base import RaceSafeAdmin, make_race_safe
from members import invitation_limit, outbox, privacy, questions
from members.emails import invitation_message, send_all
from members.forms import BlockForm, InvitationForm
from members.models import (
    Assignment,
    EmailDelivery,
    Invitation,
    KnobSetting,
    PainFlag,
    PlannedSession,
    Profile,
    Question,
    SetLog,
    StepOverride,
    TrainerNote,
    User,
    Workout,
)
from members.models.blocks import WEEKDAY_CHOICES, open_account, trained_by, weekdays_to_mask
from members.services import (
    InvitationUnusable,
    already_on_a_block_message,
    assign_routine,
    invite_member,
    resend_invitation,
    start_block,
    trained_elsewhere_message,
)
from members.steering import (
    end_block,
    extend_block,
    next_start,
    pause_block,
    renew_block,
    resume_block,
)


class TrainerScopedAdmin(RaceSafeAdmin):
    """A trainer sees only the rows of the members they train now (the model's
    ``for_trainer``): not a former member's, nor one who moved to another
    trainer. A superuser sees every row, closed accounts' included."""

    def get_queryset(self, request):
        rows = super().get_queryset(request)
        return rows if request.user.is_superuser else rows.for_trainer(request.user)


class ProfileInline(admin.StackedInline):
    model = Profile
    fk_name = "user"
    can_delete = False
    fields = [
        "display_name",
        "weaker_side",
        "units",
        "trainer",
        "session_reminders",
        "weekly_digest",
    ]


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email"]


class UserChangeFormByEmail(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(RaceSafeAdmin, DjangoUserAdmin):
    form = UserChangeFormByEmail
    add_form = UserCreationForm
    inlines = [ProfileInline]
    list_display = ["email", "profile__display_name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    list_select_related = ["profile"]
    search_fields = ["email", "profile__display_name"]
    ordering = ["email"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            "Permissions",
            {
                "fields": ["is_active", "is_staff", "is_superuser", "groups"],
                "description": "Trainers are staff in the Trainers group.",
            },
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "usable_password", "password1", "password2"],
            },
        ),
    ]

    actions = ["put_on_a_routine"]

    def has_assign_permission(self, request) -> bool:
        return request.user.has_perm("members.add_assignment")

    @admin.action(description="Put the selected members on a routine", permissions=["assign"])
    def put_on_a_routine(self, request, queryset):
        """A class starting together: one form for the block, then every selected
        member's block written at once."""
        members = list(queryset.filter(is_staff=False, is_active=True).select_related("profile"))
        skipped = queryset.count() - len(members)
        form = BlockForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid() and members:
            data = form.cleaned_data
            try:
                blocks = assign_routine(
                    trainer=request.user, members=members, **form.block_arguments()
                )
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d member is on %(routine)s from %(start)s.",
                        "%(count)d members are on %(routine)s from %(start)s.",
                        len(blocks),
                    )
                    % {
                        "count": len(blocks),
                        "routine": data["routine"],
                        "start": f"{data['start_date']:%b %-d}",
                    },
                    messages.SUCCESS,
                )
                return None
        if skipped:
            self.message_user(
                request,
                f"{skipped} selected account(s) are trainers or inactive and are left out.",
                messages.WARNING,
            )
        return TemplateResponse(
            request,
            "admin/members/user/put_on_a_routine.html",
            {
                **self.admin_site.each_context(request),
                "title": "Put members on a routine",
                "opts": self.model._meta,
                "form": form,
                "members": members,
                "queryset": queryset,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            # Staff vouch for the address they typed: no verification email needed.
            User.objects.set_up_vouched_account(obj)

    def get_inline_instances(self, request, obj=None):
        # The profile is created on save, so the add page has no inline.
        return super().get_inline_instances(request, obj) if obj else []

    # A member deleted here is first forgotten as on their own Settings page,
    # or the rows that hold their address without pointing at the account (the
    # admin log, questions sent signed out, sessions) would outlive them.
    def delete_model(self, request, obj):
        if not obj.is_staff:
            privacy.forget(obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for member in queryset.filter(is_staff=False):
            privacy.forget(member)
        super().delete_queryset(request, queryset)


class InvitationAdminForm(forms.ModelForm):
    """The add form: a name and an address, checked as on the trainer page."""

    display_name = InvitationForm.base_fields["display_name"]
    email = InvitationForm.base_fields["email"]
    trainer = None  # Who is inviting: set by InvitationAdmin.get_form.

    class Meta:
        model = Invitation
        fields = []

    def clean_display_name(self):
        return InvitationForm.clean_display_name(self)

    def clean_email(self):
        return InvitationForm.clean_email(self)

    def clean(self):
        cleaned = super().clean()
        # Taken here, where a refusal can still be shown on the form; save_model
        # sends the invitation it pays for.
        if not self.errors and (refused := invitation_limit.reserve(self.trainer)):
            raise ValidationError(refused)
        return cleaned


@admin.register(Invitation)
class InvitationAdmin(TrainerScopedAdmin):
    list_display = ["member", "member__profile__display_name", "invited_by", "state", "sent_at"]
    list_select_related = ["member__profile", "invited_by"]
    list_filter = [("accepted_at", admin.EmptyFieldListFilter), "sent_at"]
    search_fields = ["member__email", "member__profile__display_name"]
    actions = ["send_again"]
    readonly_fields = [
        "member",
        "invited_by",
        "state",
        "created_at",
        "sent_at",
        "send_count",
        "expires_at",
        "accepted_at",
    ]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = InvitationAdminForm
        form = super().get_form(request, obj, **kwargs)
        form.trainer = request.user  # a class made for this request
        return form

    def get_fields(self, request, obj=None):
        return ["display_name", "email"] if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    @admin.display(description="state")
    def state(self, obj):
        return obj.get_state_display()

    def save_model(self, request, obj, form, change):
        if change:
            return
        invitation, token = invite_member(
            trainer=request.user,
            email=form.cleaned_data["email"],
            display_name=form.cleaned_data["display_name"],
        )
        # The admin goes on with ``obj`` (its log entry and redirect): make it the row.
        obj.pk = invitation.pk
        obj.refresh_from_db()
        if token is None:
            # An identical post a moment ago sent it: this one sends nothing.
            invitation_limit.give_back(request.user)
            return
        if not send_all([invitation_message(invitation=invitation, token=token, request=request)]):
            self.message_user(
                request,
                "The invitation is saved but the email could not be sent: use “Send the "
                "invitation again” in a while.",
                messages.WARNING,
            )

    @admin.action(description="Send the invitation again", permissions=["change"])
    def send_again(self, request, queryset):
        pending = list(
            queryset.filter(accepted_at=None).select_related(
                "member__profile", "invited_by__profile"
            )
        )
        if refused := invitation_limit.reserve(request.user, len(pending)):
            self.message_user(request, refused, messages.ERROR)
            return
        emails = []
        for invitation in pending:
            try:
                token = resend_invitation(invitation=invitation)
            except InvitationUnusable:
                continue
            if token is None:
                continue  # sent moments ago
            invitation.refresh_from_db()
            emails.append(invitation_message(invitation=invitation, token=token, request=request))
        if unsent := len(pending) - len(emails):  # accepted meanwhile
            invitation_limit.give_back(request.user, unsent)
        if send_all(emails):
            self.message_user(
                request,
                f"Sent {len(emails)} new invitation link(s); accepted ones were skipped.",
                messages.SUCCESS,
            )
        else:
            self.message_user(request, "The mail server refused; try again later.", messages.ERROR)


class PlannedSessionInline(admin.TabularInline):
    model = PlannedSession
    extra = 0
    can_delete = False
    fields = ["number", "week", "date", "status"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("workouts")

    def has_add_permission(self, request, obj=None):
        return False

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

    assigner = None

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


class TrainerNoteInline(admin.TabularInline):
    model = TrainerNote
    extra = 0
    fields = ["created_at", "workout", "text", "author", "sent_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        # Written on the member's page, where they are emailed.
        return False


@admin.register(Assignment)
class AssignmentAdmin(TrainerScopedAdmin):
    # Once planned, a block's shape is shown, not edited: re-planning (pause,
    # resume, extend) belongs to the member detail page.
    planned_fields = [
        "member",
        "routine",
        "trainer",
        "start_date",
        "training_days",
        "weeks",
        "status",
        "paused_on",
        "ended_on",
        "member_page",
    ]
    list_display = [
        "member",
        "routine",
        "trainer",
        "start_date",
        "training_days",
        "weeks",
        "status",
    ]
    actions = ["pause", "resume_same_days", "extend_one_week", "end_early", "renew_same_shape"]
    list_filter = ["status", "routine", "start_date"]
    list_select_related = ["member", "routine", "trainer"]
    search_fields = ["member__email", "member__profile__display_name"]
    autocomplete_fields = ["member"]
    date_hierarchy = "start_date"
    inlines = [PlannedSessionInline, TrainerNoteInline]

    def get_form(self, request, obj=None, **kwargs):
        # The add form checks the member is free or the assigner's own.
        add_form = type("AssignmentAddForm", (AssignmentAdminForm,), {"assigner": request.user})
        kwargs["form"] = AssignmentChangeForm if obj else add_form
        return super().get_form(request, obj, **kwargs)

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
        self._steer(request, queryset, lambda a: pause_block(assignment=a), "Paused")

    @admin.action(description="Resume from today on the same days", permissions=["change"])
    def resume_same_days(self, request, queryset):
        self._steer(
            request,
            queryset,
            lambda a: resume_block(assignment=a, on=timezone.localdate(), weekdays=a.weekday_list),
            "Resumed",
        )

    @admin.action(description="Extend by one week", permissions=["change"])
    def extend_one_week(self, request, queryset):
        self._steer(request, queryset, lambda a: extend_block(assignment=a, weeks=1), "Extended")

    @admin.action(description="End the selected blocks now", permissions=["change"])
    def end_early(self, request, queryset):
        self._steer(request, queryset, lambda a: end_block(assignment=a), "Ended")

    @admin.action(
        description="Renew: another block on the same days and length", permissions=["change"]
    )
    def renew_same_shape(self, request, queryset):
        today = timezone.localdate()
        self._steer(
            request,
            queryset,
            lambda a: renew_block(
                assignment=a,
                trainer=request.user,
                start_date=next_start(a, today),
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


class SetLogInline(admin.TabularInline):
    model = SetLog
    extra = 0
    can_delete = False
    fields = ["step", "exercise", "set_number", "side", "reps", "seconds", "knobs", "logged_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class KnobSettingInline(admin.TabularInline):
    model = KnobSetting
    extra = 0
    can_delete = False
    fields = ["exercise", "knob", "value", "level", "unit", "changed_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Workout)
class WorkoutAdmin(RaceSafeAdmin):
    list_display = ["member", "date", "planned_session", "is_complete", "feeling", "finished_at"]
    list_select_related = ["member", "planned_session"]
    list_filter = ["date", "is_complete", "feeling"]
    search_fields = ["member__email", "member__profile__display_name"]
    date_hierarchy = "date"
    inlines = [SetLogInline, KnobSettingInline]
    exclude = ["prescription", "choices"]

    def get_queryset(self, request):
        workouts = super().get_queryset(request)
        return workouts if request.user.is_superuser else workouts.for_trainer(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PainFlag)
class PainFlagAdmin(TrainerScopedAdmin):
    list_display = ["member", "level", "exercise", "status", "created_at", "alert_sent_at"]
    list_select_related = ["member", "exercise"]
    list_filter = ["status", "level"]
    search_fields = ["member__email", "member__profile__display_name", "note"]
    readonly_fields = [
        "member",
        "workout",
        "exercise",
        "level",
        "note",
        "created_at",
        "alert_sent_at",
    ]
    fields = [*readonly_fields, "status"]

    def has_add_permission(self, request):
        return False


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
        if db_field.name in {"step", "knob"}:
            field.queryset = field.queryset.select_related("exercise")
        if db_field.name == "member" and not request.user.is_superuser:
            field.queryset = field.queryset.filter(trained_by(request.user, ""))
        return field

    def save_model(self, request, obj, form, change):
        obj.set_by = request.user
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)


DELIVERY_FIELDS = [
    "kind",
    "to_email",
    "state",
    "attempts",
    "last_error",
    "next_attempt_at",
    "sent_at",
]


class EmailDeliveryInline(admin.TabularInline):
    model = EmailDelivery
    fields = DELIVERY_FIELDS
    readonly_fields = DELIVERY_FIELDS
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Question)
class QuestionAdmin(TrainerScopedAdmin):
    """The inbox, as in the trainer pages; answers are written there, where
    they are emailed to the sender."""

    list_display = ["subject", "name", "trainer", "status", "delivery", "created_at"]
    list_select_related = ["trainer__profile"]
    list_filter = ["status", "created_at"]
    search_fields = ["subject", "message", "name", "email"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "member",
        "name",
        "email",
        "trainer",
        "to_email",
        "subject",
        "message",
        "exercise",
        "workout",
        "created_at",
        "status",
        "answer",
        "answered_by",
        "answered_at",
        "closed_at",
        "answer_link",
    ]
    fields = readonly_fields
    inlines = [EmailDeliveryInline]
    actions = ["mark_answered", "close_questions", "send_failed_again"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("deliveries")

    def has_add_permission(self, request):
        return False

    @admin.display(description="email to the trainer")
    def delivery(self, question):
        delivery = question.trainer_delivery
        return delivery.get_state_display() if delivery else "—"

    @admin.display(description="answer in the app")
    def answer_link(self, question):
        url = reverse("trainer:question", args=[question.pk])
        return format_html('<a href="{}">Open the question to answer it</a>', url)

    @admin.action(description="Mark answered (replied by email)")
    def mark_answered(self, request, queryset):
        done = sum(questions.mark_answered(question=q, trainer=request.user) for q in queryset)
        self.message_user(request, f"{done} marked answered.", messages.SUCCESS)

    @admin.action(description="Close")
    def close_questions(self, request, queryset):
        done = sum(questions.close(question=q) for q in queryset)
        self.message_user(request, f"{done} closed.", messages.SUCCESS)

    @admin.action(description="Send failed emails again")
    def send_failed_again(self, request, queryset):
        count = outbox.requeue(EmailDelivery.objects.filter(question__in=queryset).failed())
        self.message_user(request, f"{count} email(s) queued again.", messages.SUCCESS)


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(TrainerScopedAdmin):
    """Every email the club's outbox sent or is still trying to send: the
    answer to "I never got it"."""

    list_display = ["created_at", "kind", "to_email", "for_whom", "about", "state"]
    list_filter = ["state", "kind", "created_at"]
    list_select_related = [
        "recipient__profile",
        "planned_session",
        "question",
        "pain_flag",
        "trainer_note",
    ]
    search_fields = ["to_email", "key", "recipient__profile__display_name"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "key",
        "recipient",
        "question",
        "planned_session",
        "pain_flag",
        "trainer_note",
        "created_at",
        *DELIVERY_FIELDS,
        "skipped_because",
    ]
    fields = readonly_fields
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="for", ordering="recipient__profile__display_name")
    def for_whom(self, delivery):
        return delivery.recipient.display_name if delivery.recipient else "—"

    @admin.display(description="about")
    def about(self, delivery):
        if delivery.planned_session:
            return delivery.planned_session
        if delivery.question:
            return delivery.question.subject
        if delivery.pain_flag:
            return f"Pain {delivery.pain_flag.level}/10"
        if delivery.trainer_note:
            return Truncator(delivery.trainer_note.text).chars(60)
        if delivery.kind == EmailDelivery.Kind.DIGEST:
            return f"Week of {timezone.localtime(delivery.created_at):%b %-d}"
        return ""

    @admin.action(description="Send again (failed or stuck ones)")
    def send_again(self, request, queryset):
        count = outbox.requeue(queryset)
        self.message_user(request, f"{count} email(s) queued again.", messages.SUCCESS)


# Other apps' admins with add or change forms get the same answer to a double post.
make_race_safe(Group)
make_race_safe(EmailAddress)
make_race_safe(DBTaskResult)
