"""The member's private calendar feed: an iCalendar file at a secret address."""

import datetime as dt
from collections import Counter

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import conditional_page
from icalendar import Calendar, Event

from members.models import Assignment, PlannedSession, Profile


@conditional_page
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """Planned sessions as all-day events. The token is the only credential
    (calendar apps cannot sign in), so it is long, random and revocable; a
    revoked or unknown token is a 404, like any address that is not there.

    Calendar apps poll it all day and it seldom changes: it carries an ETag
    of its content, and a poll with that ETag gets an empty 304."""
    profile = get_object_or_404(
        Profile.objects.select_related("user"), calendar_token=token, user__is_active=True
    )
    today = timezone.localdate()
    sessions = list(
        PlannedSession.objects.filter(assignment__member=profile.user)
        # Future sessions of a paused or ended block are not going to happen.
        .filter(
            Q(assignment__status__in=[Assignment.Status.ACTIVE, Assignment.Status.COMPLETED])
            | Q(date__lt=today)
        )
        .select_related("assignment__routine")
        .order_by("date", "number")
    )
    totals = Counter(
        PlannedSession.objects.filter(
            assignment__in={session.assignment_id for session in sessions}
        ).values_list("assignment_id", flat=True)
    )
    today_url = request.build_absolute_uri(reverse("members:home"))
    uid_domain = slugify(settings.CLUB_NAME) or "ground-up"

    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.CLUB_NAME}//Ground Up//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{settings.CLUB_NAME} training")
    calendar.add("x-published-ttl", dt.timedelta(hours=6))
    for session in sessions:
        assignment = session.assignment
        event = Event()
        # The id survives a re-plan (pause and resume move the date, not the
        # session), so calendars move the event instead of duplicating it.
        event.add("uid", f"planned-session-{session.pk}@{uid_domain}.ground-up")
        event.add("dtstamp", assignment.updated_at)
        event.add("dtstart", session.date)
        event.add("dtend", session.date + dt.timedelta(days=1))
        event.add(
            "summary",
            f"{assignment.routine.title}: session {session.number} of {totals[assignment.pk]}",
        )
        event.add(
            "description",
            f"Week {session.week} of {assignment.weeks}. Start from zero pain. "
            f"Log it in Ground Up: {today_url}",
        )
        event.add("url", today_url)
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)

    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="ground-up.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response
