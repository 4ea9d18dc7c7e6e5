import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from members.management.commands.demo import DEMO_PASSWORD
from members.models import Assignment, CheckIn, Invitation, KnobSetting, Question, User
from members.models.access import TRAINERS_GROUP
from routines.models import Exercise, Routine
from routines.seed import ROUTINE_SLUG

CLUB = zoneinfo.ZoneInfo(django_settings.TIME_ZONE)


@pytest.mark.django_db
def test_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only runs with DEBUG=true"):
        call_command("demo")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_demo_run_twice_makes_a_trainer_and_members_on_the_routine_since_last_monday(
    settings, client, capsys
):
    """Run twice (it is idempotent), as ``make run`` does on every start; the
    demo takes seconds, so one test reads everything it made."""
    settings.DEBUG = True
    # Tuesday, November 24, 2026 at the club.
    with time_machine.travel(dt.datetime(2026, 11, 24, 9, 0, tzinfo=CLUB), tick=False):
        call_command("demo")
        call_command("demo")
        printed = capsys.readouterr().out
        assert printed.count(f"password: {DEMO_PASSWORD}") == 6
        # The trainer, the two members above, and ten more of the class.
        assert User.objects.count() == 13
        trainer = User.objects.get(email="makana@example.com")
        assert trainer.is_staff and not trainer.is_superuser
        assert trainer.groups.filter(name=TRAINERS_GROUP).exists()
        assert Group.objects.get(name=TRAINERS_GROUP).user_set.count() == 1
        # Makana is the author the routine list shows, and introduces
        # themself to their members on Today.
        assert Routine.objects.get(slug=ROUTINE_SLUG).author == trainer
        assert trainer.profile.bio.startswith("Physio-trained coach")
        assert trainer.profile.photo.name.endswith(".webp")
        # The guide shows a demonstration video the demo drew and encoded.
        tibialis = Exercise.objects.get(slug="tibialis-raise")
        assert tibialis.video.name.endswith(".webm") and tibialis.video_poster
        # Alex's question became a conversation; Makana wrote last, unread yet.
        alexs = Question.objects.get(member__email="alex@example.com")
        assert [turn.from_trainer for turn in alexs.messages] == [False, True, False, True]
        assert alexs.unread_by_member and not alexs.unread_by_trainer
        for email in ["makana@example.com", "alex@example.com", "jordan@example.com"]:
            assert email in printed
            response = client.post("/accounts/login/", {"login": email, "password": DEMO_PASSWORD})
            assert response.status_code == 302, email
            assert response["Location"] == "/me/"
            client.logout()

        # Check-ins as each story goes: Quinn's whole block, Alex's baseline;
        # Drew's baseline is still to do, so Today offers it.
        emails = ("quinn@example.com", "alex@example.com", "drew@example.com")
        kinds = {
            email: list(
                CheckIn.objects.filter(assignment__member__email=email).values_list(
                    "kind", flat=True
                )
            )
            for email in emails
        }
        assert kinds == {
            "quinn@example.com": ["baseline", "midway", "end"],
            "alex@example.com": ["baseline"],
            "drew@example.com": [],
        }
        client.force_login(User.objects.get(email="drew@example.com"))
        assert "Check-in before you start" in client.get("/me/").text
        client.logout()

        for email in ["alex@example.com", "jordan@example.com"]:
            member = User.objects.get(email=email)
            (invitation,) = Invitation.objects.filter(member=member)
            assert invitation.invited_by == trainer and invitation.accepted_at
            block = Assignment.objects.current().get(member=member)
            assert block.trainer == trainer
            assert block.start_date == dt.date(2026, 11, 16)
            assert block.weekdays_text == "Monday and Thursday"
            assert block.routine.slug == ROUTINE_SLUG
            assert member.profile.trainer == trainer
        alex = Assignment.objects.get(member__email="alex@example.com").progress()
        jordan = Assignment.objects.get(member__email="jordan@example.com").progress()
        assert (alex.done, jordan.done) == (3, 1)
        # Two past sessions logged each; Alex moved the wall out, Jordan stopped early.
        jordan_statuses = [s.status for s in jordan.sessions[:2]]
        assert jordan_statuses == ["done", "partly"]
        wall = KnobSetting.objects.filter(
            workout__member__email="alex@example.com", exercise__name="Tibialis raise"
        ).order_by("workout__started_at")
        assert [setting.display for setting in wall] == ["12 in", "14 in", "14 in"]
        client.force_login(User.objects.get(email="jordan@example.com"))
        assert "Session 3 of 8" in client.get("/me/").text
