"""Trainer review: the dashboard, a member's detail, pain follow-up and export."""

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Min
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_POST

from clubsite import kept_pages
from clubsite.kept_pages import kept_page_about, kept_page_over_members
from members.accounts.roles import members_of
from members.coaching import pain, standings
from members.coaching.forms import PainResolutionForm
from members.coaching.member_page import member_for_trainer, render_member_detail
from members.models import (
    Assignment,
    PainFlag,
    Question,
    SetLog,
    User,
)
from members.web.decorators import positive_int, trainer_required
from members.web.downloads import csv_download, set_cells
from members.web.requests import AuthenticatedHttpRequest
from members.web.text import messages_text
from routines.models import Routine

SHOWS = {
    "all": "Everyone on a block",
    "attention": "Needs attention",
    "ending": "Ending this week",
}
SORTS = {
    "attention": "Needs attention first",
    "name": "Name",
    "adherence": "Lowest adherence first",
    "end": "Ending soonest",
}


ORDERS = {
    "attention": standings.by_attention,
    "name": standings.by_name,
    "adherence": standings.by_adherence,
    "end": standings.by_end,
}

# A page of cards a phone can scroll; the whole club is a few pages away.
PAGE_SIZE = 50
# "Needs you" shows the most pressing; the rest are one link away (show=attention).
ATTENTION_SHOWN = 12


def _choice(request: AuthenticatedHttpRequest, name: str, options, default: str) -> str:
    value = request.GET.get(name, default)
    return value if value in options else default


@trainer_required
@kept_page_over_members
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Who needs the trainer today and why, then everyone on a block. The
    filters are a GET form: bookmarkable, and htmx swaps only the list."""
    show = _choice(request, "show", SHOWS, "all")
    sort = _choice(request, "sort", SORTS, "attention")
    routine_id = positive_int(request.GET.get("routine"))
    trainer_id = positive_int(request.GET.get("trainer")) if request.user.is_superuser else None

    # The members trained now: a block run by a former trainer, or of a closed
    # account, is not on anyone's dashboard.
    blocks = Assignment.objects.current().for_trainer(request.user)
    if trainer_id:
        blocks = blocks.filter(member__profile__trainer_id=trainer_id)
    if routine_id:
        blocks = blocks.filter(routine_id=routine_id)
    # Each block's standing, kept between loads and sorted in the database:
    # the same reviews and reasons the member's page and the digest work out,
    # without a thousand blocks' history read on every load.
    found = standings.kept(blocks)
    if kept_pages.keeping(request):
        # Kept until any member's or staff write, or until the first of these
        # standings lapses: a question waiting a day, say.
        kept_pages.keep_until(request, found.aggregate(until=Min("fresh_until"))["until"])
    needing = standings.by_attention(found.filter(needs_you=True))
    attention = list(needing[:ATTENTION_SHOWN])
    rows = found
    if show == "attention":
        rows = rows.filter(needs_you=True)
    elif show == "ending":
        today = timezone.localdate()
        rows = rows.filter(end_date__range=(today, today + dt.timedelta(days=6)))
    page = Paginator(ORDERS[sort](rows), PAGE_SIZE).get_page(request.GET.get("page"))

    context = {
        "attention": attention,
        "attention_count": needing.count(),
        "rows": page.object_list,
        "page": page,
        "show": show,
        "show_label": SHOWS[show],
        "sort": sort,
        "routine_id": routine_id,
        "trainer_id": trainer_id,
        "shows": SHOWS,
        "sorts": SORTS,
        "routines": Routine.objects.published().only("pk", "title"),
        "trainers": User.objects.filter(is_staff=True).select_related("profile")
        if request.user.is_superuser
        else [],
        "waiting_questions": Question.objects.for_trainer(request.user).waiting().count(),
        "active_nav": "dashboard",
        # The folded filters open on a page that uses one.
        "filtered": show != "all" or sort != "attention" or bool(routine_id or trainer_id),
    }
    if request.htmx:
        # The list, and "Needs you" out of band: it sits above the filters, and
        # the routine and trainer filters change who is in it.
        template = "members/trainer/dashboard.html"
        return HttpResponse(
            render_to_string(f"{template}#member-list", context, request)
            + render_to_string(f"{template}#attention", {**context, "oob": True}, request)
        )
    return render(request, "members/trainer/dashboard.html", context)


@trainer_required
@kept_page_about
def member_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return render_member_detail(request, member_for_trainer(request, pk))


def _get_flag_for_trainer(request: AuthenticatedHttpRequest, pk: int) -> PainFlag:
    return get_object_or_404(PainFlag.objects.for_trainer(request.user), pk=pk)


@trainer_required
@require_POST
def acknowledge_pain(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    flag = _get_flag_for_trainer(request, pk)
    if pain.acknowledge(flag):
        messages.success(request, "Marked as seen. Resolve it once you have talked it through.")
    return redirect("trainer:member", pk=flag.member_id)


@trainer_required
@require_POST
def resolve_pain(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Resolve with a note to the member, emailed to them once."""
    flag = _get_flag_for_trainer(request, pk)
    form = PainResolutionForm(request.POST)
    if not form.is_valid():
        return render_member_detail(
            request,
            member_for_trainer(request, flag.member_id),
            resolving={
                "flag": flag.pk,
                "note": form.data.get("note", ""),
                "error": messages_text(form.errors["note"]),
            },
            status=422,
        )
    flag = pain.resolve(flag, by=request.user, note=form.cleaned_data["note"])
    messages.success(request, "Resolved. Your note is on its way to the member.")
    return redirect("trainer:member", pk=flag.member_id)


EXPORT_COLUMNS = [
    "member",
    "email",
    "date",
    "planned session",
    "step",
    "exercise",
    "side",
    "set",
    "target",
    "done",
    "knob settings",
    "pain",
]


@trainer_required
def export(request: AuthenticatedHttpRequest) -> StreamingHttpResponse:
    """Every set of the trainer's members (or one member's) in a date range, as
    CSV, streamed row by row."""
    members = members_of(request.user)
    member_id = positive_int(request.GET.get("member"))
    if member_id:
        members = members.filter(pk=member_for_trainer(request, member_id).pk)
    start = _date(request.GET.get("start"))
    end = _date(request.GET.get("end"))
    logs = (
        SetLog.objects.filter(workout__member__in=members)
        .select_related("workout__member__profile", "workout__planned_session", "exercise")
        .order_by("workout__member__email", "workout__started_at", "step__order", "set_number")
    )
    if start:
        logs = logs.filter(workout__date__gte=start)
    if end:
        logs = logs.filter(workout__date__lte=end)
    pain = {
        (flag.workout_id, flag.step_id): flag.level
        for flag in PainFlag.objects.filter(member__in=members, step__isnull=False)
    }

    def rows():
        yield EXPORT_COLUMNS
        for log in logs.iterator(chunk_size=2000):
            workout = log.workout
            session = workout.planned_session
            yield [
                workout.member.display_name,
                workout.member.email,
                workout.date.isoformat(),
                session.number if session else "extra",
                log.step_id,
                *set_cells(log),
                pain.get((log.workout_id, log.step_id), ""),
            ]

    return csv_download(rows(), "ground-up-sets.csv")


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None
