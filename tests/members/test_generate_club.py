"""The generated club used for measuring: the same for the same seed, and only
where it cannot leak (DEBUG on, or forced)."""

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

from members.management.commands.generate_club import generate
from members.models import (
    AreaPain,
    Assignment,
    CheckIn,
    KnobSetting,
    Question,
    SetLog,
    User,
    Workout,
)


def _shape():
    return (
        list(
            Workout.objects.order_by("member__email", "date").values_list("member__email", "date")
        ),
        SetLog.objects.count(),
        sorted(KnobSetting.objects.values_list("value", flat=True)),
        list(
            Question.objects.order_by("member__email").values_list(
                "member__email", "subject", "status", "token"
            )
        ),
        sorted(AreaPain.objects.values_list("check_in__kind", "area", "worst", "usual")),
    )


@pytest.mark.django_db
def test_the_same_seed_makes_the_same_club():
    counts = generate(members=30, trainers=2, seed=7)
    assert counts["members"] == 30 and counts["trainers"] == 2
    assert Assignment.objects.current().count() == 30
    assert counts["sets"] == SetLog.objects.count() > 0
    trainer = User.objects.get(email="trainer1@club.example.com")
    assert trainer.groups.filter(name="Trainers").exists()
    assert User.objects.filter(profile__trainer=trainer).count() == 15
    assert counts["questions"] == Question.objects.count() > 0
    assert Question.objects.waiting().exists()
    # Every account can sign in through the real form: its address is verified.
    assert EmailAddress.objects.filter(verified=True, primary=True).count() == 33
    assert User.objects.get(email="head@club.example.com").is_superuser
    # Check-ins before, half-way and at the end, as far as each block has come.
    assert counts["check_ins"] == CheckIn.objects.count() > 0
    assert set(CheckIn.objects.values_list("kind", flat=True)) == {"baseline", "midway", "end"}
    first = _shape()
    Assignment.objects.all().delete()
    User.objects.filter(email__endswith="@club.example.com").delete()
    generate(members=30, trainers=2, seed=7)
    assert _shape() == first


@pytest.mark.django_db
def test_the_command_refuses_without_debug_or_on_a_generated_database(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="runs with DEBUG=true, or with --force"):
        call_command("generate_club", members=2)
    call_command("generate_club", members=2, force=True)
    with pytest.raises(CommandError, match="already has a generated club"):
        call_command("generate_club", members=2, force=True)
