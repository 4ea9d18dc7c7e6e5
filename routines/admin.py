import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.db import IntegrityError, models, transaction
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import ngettext

from clubsite.admin_base import RaceSafeAdmin
from routines.forms import MinutesSecondsField, RoutineForm
from routines.limits import MAX_REST_SECONDS, MAX_SECONDS
from routines.models import BodyArea, Equipment, Exercise, Knob, Routine, Step
from routines.numbering import step_labels
from routines.publishing import (
    can_publish,
    current_blocks,
    refused_message,
    unpublish_routines,
)
from routines.services import duplicate_routine, publish_problems, renumber_steps

# Posts this close together by one person are one tap repeated (members'
# REPEAT_WINDOW; routines cannot import members).
DOUBLE_TAP = dt.timedelta(minutes=1)


@admin.register(Equipment)
class EquipmentAdmin(RaceSafeAdmin):
    search_fields = ["name"]


@admin.register(BodyArea)
class BodyAreaAdmin(RaceSafeAdmin):
    search_fields = ["name"]


class KnobInline(admin.StackedInline):
    model = Knob
    extra = 0
    min_num = 0
    fieldsets = [
        (None, {"fields": [("label", "unit", "harder"), "order"]}),
        ("Numbers", {"fields": [("minimum", "maximum", "step")]}),
        ("Named levels", {"fields": ["levels"]}),
        (
            "Where a member starts",
            {"fields": [("start_value", "start_level"), "start_description"]},
        ),
        ("Guidance", {"fields": ["easier_guidance", "harder_guidance"]}),
    ]


@admin.register(Exercise)
class ExerciseAdmin(RaceSafeAdmin):
    list_display = ["name", "knob_list", "equipment_list", "routine_count"]
    list_filter = ["body_areas", "equipment"]
    search_fields = ["name", "purpose", "knobs__label"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [KnobInline]
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}
    fieldsets = [
        (None, {"fields": ["name", "slug", "purpose"]}),
        ("How to do it", {"fields": ["setup", "execution", "cues"]}),
        ("What it needs and protects", {"fields": ["equipment", "body_areas"]}),
        (
            "Picture and video",
            {
                "fields": ["image", "image_alt", "video", "video_poster", "video_url"],
                "classes": ["collapse"],
            },
        ),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("knobs", "equipment")
            .annotate(_routines=Count("steps__routine", distinct=True))
        )

    @admin.display(description="difficulty knobs")
    def knob_list(self, exercise):
        return ", ".join(knob.label for knob in exercise.knobs.all()) or "—"

    @admin.display(description="equipment")
    def equipment_list(self, exercise):
        return ", ".join(item.name for item in exercise.equipment.all()) or "—"

    @admin.display(description="in routines", ordering="_routines")
    def routine_count(self, exercise):
        return exercise._routines


class StepFormSet(BaseInlineFormSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each saved step's row is headed as members read it: “2a Tibialis raise”.
        saved = [form.instance for form in self.initial_forms]
        labels = step_labels(saved)
        for form in self.initial_forms:
            if not isinstance(form, StepForm):
                continue
            step = form.instance
            form.heading = f"{labels.get(step.pk, step.order)} {step.exercise.name}"
            # The pair's other step shows it in its own list; this one says it here.
            partner = step.partner if step.paired_with_id is None else None
            if partner is not None and partner.pk in labels:
                form.pairing = (
                    f"alternates set by set with {labels[partner.pk]} {partner.exercise.name}"
                )

    def clean(self):
        """Paired steps alternate set by set, so they need the same number of sets.

        Checked here, with the numbers just typed for both steps of each pair, so
        changing both in one save works and changing either one alone is caught."""
        super().clean()
        kept = [
            form
            for form in self.forms
            if form.has_changed() or form.instance.pk
            # A private BaseFormSet method (the one its own clean uses); not in the stubs.
            if not (self.can_delete and self._should_delete_form(form))  # type: ignore[attr-defined]
        ]
        sets_by_step = {form.instance.pk: form.cleaned_data.get("sets") for form in kept}
        form_by_step = {form.instance.pk: form for form in kept if form.instance.pk}
        for form in kept:
            partner = form.cleaned_data.get("paired_with")
            sets = form.cleaned_data.get("sets")
            if partner is None or sets is None:
                continue
            partner_sets = sets_by_step.get(partner.pk, partner.sets)
            if partner_sets is None or partner_sets == sets:
                continue
            name = form.cleaned_data["exercise"].name
            form.add_error(
                "sets",
                f"{name} alternates set by set with {partner.exercise.name}, so both need "
                f"the same number of sets ({partner.exercise.name} has {partner_sets}).",
            )
            if partner.pk in form_by_step:
                form_by_step[partner.pk].add_error(
                    "sets",
                    f"{partner.exercise.name} alternates set by set with {name}, so both "
                    f"need the same number of sets ({name} has {sets}).",
                )


class LabelledStepField(forms.ModelChoiceField):
    """A choice of this routine's steps, named as members read them: “2b Calf raise”."""

    def __init__(self, *args, labels: dict[int, str], **kwargs):
        self.labels = labels
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj) -> str:
        return f"{self.labels.get(obj.pk, obj.order)} {obj.exercise.name}"


class StepForm(forms.ModelForm):
    """A step's row: durations in minutes and seconds, as trainers write them.
    Its formset gives it the ``heading`` it is shown under and, for the second
    step of a pair, the ``pairing`` it is part of."""

    heading = ""
    pairing = ""

    duration_seconds = MinutesSecondsField(
        label="Duration",
        required=False,
        max_seconds=MAX_SECONDS,
        help_text="For a timed step instead of reps, as minutes:seconds: 10:00.",
    )
    rest_seconds = MinutesSecondsField(
        label="Rest",
        required=False,
        max_seconds=MAX_REST_SECONDS,
        help_text="Between sets, as minutes:seconds: 1:30. Optional.",
    )

    class Meta:
        model = Step
        fields = [
            "order", "exercise", "sets", "reps", "duration_seconds", "hold_seconds",
            "rest_seconds", "per_side", "weaker_side_extra_sets", "paired_with",
            "alternative_to", "notes",
        ]  # fmt: skip
        labels = {
            "hold_seconds": "Pause (s)",
            "weaker_side_extra_sets": "Extra sets, weaker",
            "paired_with": "Alternates with",
            "alternative_to": "Instead of",
        }


class StepInline(admin.StackedInline):
    """Steps as a compact list, two lines a step: what and how much, then how it
    combines. Rows are dragged or moved into order (static/js/step-order.js),
    which keeps the order numbers out of sight; without JavaScript they are
    typed, and the server orders by them either way."""

    model = Step
    fk_name = "routine"
    form = StepForm
    formset = StepFormSet
    template = "admin/routines/routine/step_inline.html"

    def get_extra(self, request, obj=None, **kwargs):
        # A new routine starts with an empty step; a saved one adds a step
        # with "Add another step".
        return 0 if obj is not None else 1

    fieldsets = [
        (None, {"fields": [("order", "exercise", "sets", "reps", "duration_seconds",
                            "hold_seconds", "rest_seconds")]}),
        (None, {"fields": [("per_side", "weaker_side_extra_sets", "paired_with",
                            "alternative_to", "notes")]}),
    ]  # fmt: skip

    class Media:
        js = ["js/step-order.js"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in {"paired_with", "alternative_to"}:
            # Only this routine's steps; a new routine has none until it is saved.
            routine_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Step.objects.filter(
                routine_id=routine_id, alternative_to__isnull=True
            ).select_related("exercise")
            kwargs["form_class"] = LabelledStepField
            kwargs["labels"] = self._labels(request)
        if db_field.name == "exercise":
            kwargs["queryset"] = Exercise.objects.order_by("name")
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is None:  # never so for a foreign key the form shows
            return field
        # Every step row would query its own copy of each list; build each list once
        # per request. (Validation of a post still checks against the queryset.)
        cached = request.__dict__.setdefault("_step_inline_choices", {})
        if db_field.name not in cached:
            # The stubs type choices as anything a field accepts; read back, a
            # ModelChoiceField's are its ModelChoiceIterator.
            cached[db_field.name] = list(field.choices)  # type: ignore[arg-type]
        field.choices = cached[db_field.name]
        return field

    @staticmethod
    def _labels(request) -> dict[int, str]:
        """This routine's steps' labels (“2a”), read once per request."""
        if not hasattr(request, "_step_labels"):
            routine_id = request.resolver_match.kwargs.get("object_id")
            request._step_labels = step_labels(
                Step.objects.filter(routine_id=routine_id).select_related(
                    "paired_with", "paired_from"
                )
            )
        return request._step_labels

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("exercise", "paired_with__exercise", "paired_from__exercise")
        )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and isinstance(field.widget, RelatedFieldWidgetWrapper):
            # Adding or editing an exercise from here is handy; deleting one is not,
            # and the pair and alternative lists are this routine's own steps.
            field.widget.can_delete_related = False
            field.widget.can_view_related = False
            if db_field.name != "exercise":
                field.widget.can_add_related = False
                field.widget.can_change_related = False
        return field


@admin.register(Routine)
class RoutineAdmin(RaceSafeAdmin):
    form = RoutineForm
    list_display = [
        "title", "status", "sessions_per_week", "weeks", "step_count", "author",
        "updated_at", "member_view",
    ]  # fmt: skip
    list_filter = ["status", "sessions_per_week", ("author", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "introduction", "steps__exercise__name"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["member_view", "author", "created_at", "updated_at"]
    list_select_related = ["author"]
    inlines = [StepInline]
    actions = ["publish", "unpublish", "duplicate"]
    view_on_site = False  # "View as member" says what it shows.
    save_on_top = True
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("title", "slug"),
                    ("status", "member_view"),
                    ("sessions_per_week", "min_weeks", "max_weeks"),
                ]
            },
        ),
        ("What members read", {"fields": ["introduction", "disclaimer", "closing_note"]}),
        ("Check-ins", {"fields": ["check_in_areas"]}),
        ("History", {"fields": [("author", "created_at", "updated_at")], "classes": ["collapse"]}),
    ]
    # Once written, the texts and check-in areas change seldom; the steps often.
    folded_once_saved = {"What members read", "Check-ins"}

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.fieldsets
        return [
            (name, {**options, "classes": ["collapse"]})
            if name in self.folded_once_saved
            else (name, options)
            for name, options in self.fieldsets
        ]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The steps and the guide's preview need the width the app list would take.
        extra_context = {"is_nav_sidebar_enabled": False, **(extra_context or {})}
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_queryset(self, request):
        # ModelAdmin.get_queryset is typed as a plain QuerySet; it is the model's
        # default manager's, here a RoutineQuerySet.
        return super().get_queryset(request).with_step_counts()  # type: ignore[attr-defined]

    @admin.display(description="steps", ordering="step_count")
    def step_count(self, routine):
        return routine.step_count

    @admin.display(description="block")
    def weeks(self, routine):
        return routine.weeks_text

    @admin.display(description="member view")
    def member_view(self, routine):
        if not routine.pk:
            return "Save the routine to preview it."
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">View as member</a>',
            routine.get_absolute_url(),
        )

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        # Publishing is the author's (or a head trainer's) call; others still edit.
        if obj is not None and not can_publish(request.user, obj):
            fields.append("status")
        return fields

    def has_delete_permission(self, request, obj=None):
        # Deleting someone else's routine is taking it back too.
        if obj is not None and not can_publish(request.user, obj):
            return False
        return super().has_delete_permission(request, obj)

    def _refuse_others(self, request, queryset) -> bool:
        """Say which routines are not the user's to publish; True if any."""
        refused = [routine for routine in queryset if not can_publish(request.user, routine)]
        if refused:
            self.message_user(request, refused_message(refused), messages.ERROR)
        return bool(refused)

    def save_model(self, request, obj, form, change):
        if not change and obj.author_id is None:
            obj.author = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        renumber_steps(form.instance)

    @admin.action(description="Publish: members can see them", permissions=["change"])
    def publish(self, request: HttpRequest, queryset):
        if self._refuse_others(request, queryset):
            return None
        ready = []
        for routine in queryset:
            problems = publish_problems(routine)
            for problem in problems:
                self.message_user(request, f"Not published: {problem}", messages.ERROR)
            if not problems:
                ready.append(routine.pk)
        count = Routine.objects.filter(pk__in=ready).update(status=Routine.Status.PUBLISHED)
        if count:
            self.message_user(
                request,
                ngettext("Published %d routine.", "Published %d routines.", count) % count,
                messages.SUCCESS,
            )

    @admin.action(description="Unpublish: back to draft", permissions=["change"])
    def unpublish(self, request, queryset):
        """Members on a block keep their guide, but their trainers should know:
        with anyone on the routines, ask first on a page that says who."""
        routines = list(queryset)
        if self._refuse_others(request, routines):
            return None
        blocks = list(current_blocks(routines))
        if blocks and request.POST.get("confirm") != "yes":
            return TemplateResponse(
                request,
                "admin/routines/routine/unpublish_confirmation.html",
                {
                    **self.admin_site.each_context(request),
                    "title": (
                        "Unpublish a routine members are on?"
                        if len(routines) == 1
                        else "Unpublish routines members are on?"
                    ),
                    "opts": self.opts,
                    "routines": routines,
                    "blocks": blocks,
                    "members": len({block.member_id for block in blocks}),
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                },
            )
        count = unpublish_routines(routines=routines)
        self.message_user(
            request,
            ngettext("%d routine is a draft again.", "%d routines are drafts again.", count)
            % count,
            messages.SUCCESS,
        )

    @admin.action(description="Duplicate as a new draft", permissions=["add"])
    def duplicate(self, request, queryset):
        for routine in queryset:
            copy, made = self._duplicate_once(routine, request.user)
            self.message_user(
                request,
                format_html(
                    "Made “{}”, a draft copy of “{}”." if made else "“{}” was made already.",
                    copy.title,
                    routine.title,
                ),
                messages.SUCCESS,
            )

    @staticmethod
    @transaction.atomic
    def _duplicate_once(routine, author) -> tuple[Routine, bool]:
        """The copy, and whether this post made it. Copies of one routine are
        made one at a time (its row is locked), so their slugs never collide,
        and a double tap (the same trainer, moments apart) gets the copy the
        first tap made; a Duplicate asked for later makes another."""
        Routine.objects.select_for_update().get(pk=routine.pk)
        recent = (
            Routine.objects.filter(
                author=author,
                title=f"{routine.title} (copy)"[:120],
                slug__startswith=f"{routine.slug}-copy"[:120],
                created_at__gte=timezone.now() - DOUBLE_TAP,
            )
            .order_by("-created_at")
            .first()
        )
        if recent is not None:
            return recent, False
        for _ in range(2):
            try:
                # A savepoint each (duplicate_routine is atomic): a slug taken at
                # this moment by a routine saved elsewhere is tried again, not a 500.
                return duplicate_routine(routine, author=author), True
            except IntegrityError:
                continue
        return duplicate_routine(routine, author=author), True
