"""The trainer's reports: one per routine, over the blocks they ran (the
whole club's for a superuser), with the rows behind it as CSV."""

from django.db.models import Count
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from members.models import Assignment
from members.outcomes.change import change_chart
from members.reports.charts import bar_chart
from members.reports.forms import ReportFilterForm
from members.reports.services import routine_report
from members.web.decorators import trainer_required
from members.web.downloads import csv_download
from members.web.requests import AuthenticatedHttpRequest
from routines.models import Routine


@trainer_required
def reports(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Each routine with the blocks the trainer ran on it."""
    counts = dict(
        Assignment.objects.run_by(request.user)
        .values_list("routine")
        .annotate(blocks=Count("pk"))
        .order_by()
    )
    routines = [(routine, counts.get(routine.pk, 0)) for routine in Routine.objects.all()]
    return render(
        request, "members/trainer/reports.html", {"routines": routines, "active_nav": "reports"}
    )


def _report(request: AuthenticatedHttpRequest, slug: str):
    """The routine, its filter, and the report: None while the filter has an
    error, so no figure is shown for blocks the trainer did not ask about."""
    routine = get_object_or_404(Routine, slug=slug)
    form = ReportFilterForm(request.GET or None, user=request.user)
    if form.is_bound and not form.is_valid():
        return routine, form, None
    blocks = form.narrow(Assignment.objects.run_by(request.user).filter(routine=routine))
    return routine, form, routine_report(blocks, today=timezone.localdate())


@trainer_required
def routine_report_page(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    routine, form, report = _report(request, slug)
    if report is None:
        return render(
            request,
            "members/trainer/routine_report.html",
            {"routine": routine, "form": form, "report": None, "active_nav": "reports"},
            status=422,
        )
    return render(
        request,
        "members/trainer/routine_report.html",
        {
            "routine": routine,
            "form": form,
            "report": report,
            "adherence_chart": bar_chart(
                report.adherence, chart_id="adherence", title="Blocks by the share done"
            ),
            "outcome_chart": change_chart(
                [outcome.change for outcome in report.outcomes], chart_id="daily-life"
            ),
            "query": request.GET.urlencode(),
            "active_nav": "reports",
        },
    )


ROWS = [
    "block", "start date", "weeks", "status", "sessions done", "sessions due",
    "adherence %", "check-ins", "first check-in", "last check-in",
    "measures compared", "measures clearly better", "measures clearly worse",
]  # fmt: skip


@trainer_required
def routine_report_rows(request: AuthenticatedHttpRequest, slug: str) -> HttpResponseBase:
    """The rows behind the report, a block each, unnamed: the figures of a
    member who deleted their account stay, as their sessions do."""
    routine, form, report = _report(request, slug)
    if report is None:
        return HttpResponseBadRequest("Fix the report's filter first: " + form.errors.as_text())

    def rows():
        yield ROWS
        for number, review in enumerate(report.blocks, start=1):
            block, change = review.assignment, review.change
            yield [
                number,
                block.start_date.isoformat(),
                block.weeks,
                block.get_status_display(),
                review.progress.done,
                review.planned_so_far,
                "" if review.adherence is None else review.adherence,
                len(review.check_ins),
                review.check_ins[0].get_kind_display() if review.check_ins else "",
                review.check_ins[-1].get_kind_display() if review.check_ins else "",
                len(change.changes) if change else "",
                sum(item.clear for item in change.changes) if change else "",
                sum(item.clear_worse for item in change.changes) if change else "",
            ]

    return csv_download(rows(), f"{routine.slug}-report.csv")
