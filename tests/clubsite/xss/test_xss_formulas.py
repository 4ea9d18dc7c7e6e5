"""A cell that starts like a formula is exported as text, never run by the
spreadsheet that opens the file."""

import pytest
from django.urls import reverse
from django.utils import timezone

from clubsite import kept_pages
from members.logbook.sets import log_all_as_prescribed, set_knob
from members.logbook.workouts import accept_zero_pain_rule, record_pain_before, start_workout
from members.models import Profile, Workout
from routines.models import Exercise, Knob, Routine
from tests.clubsite.xss.world import download, export, reauthenticated, signed_in
from tests.factories import ground_up_routine, put_on_block

pytestmark = pytest.mark.django_db

FORMULAS = ['=HYPERLINK("http://evil.example")', "+1+1", "-2+3", "@SUM(1)", "\t=1", "\r=1"]


def test_the_exports_neutralise_cells_a_spreadsheet_would_run(member, trainer, trainer_client):
    """A member's name, a routine, an exercise or a knob that starts like a
    formula is exported as text, in the trainer's CSV and the member's own:
    a quote goes first."""
    routine = ground_up_routine()
    put_on_block(member, trainer=trainer, start_date=timezone.localdate(), routine=routine)
    band = Knob.objects.get(unit=Knob.Unit.LEVEL, levels__contains="light")
    band_step = routine.steps.get(exercise=band.exercise_id)
    member_client = reauthenticated(signed_in(member))
    for formula, rest in zip(FORMULAS, range(len(FORMULAS)), strict=True):
        Profile.objects.filter(user=member).update(display_name=formula)
        Routine.objects.filter(pk=routine.pk).update(title=formula)
        Exercise.objects.filter(pk=band_step.exercise_id).update(name=f"{formula} #{rest}")
        Knob.objects.filter(pk=band.pk).update(label=formula, levels=f"none, {formula}, heavy")
        # Written past save(), as a shell would: what has read routines is told.
        kept_pages.club_changed()
        Workout.objects.filter(member=member).delete()
        workout = start_workout(member=member)
        accept_zero_pain_rule(member=member)
        record_pain_before(workout=workout, level=0)
        set_knob(workout=workout, step_id=band_step.pk, knob_id=band.pk, raw_value=formula.strip())
        log_all_as_prescribed(workout=workout, step_id=band_step.pk)

        for rows, names in (
            (export(trainer_client), ("member", "exercise", "knob settings")),
            (
                download(member_client, reverse("members:sets_csv")),
                ("routine", "exercise", "knobs"),
            ),
        ):
            header, *rows = rows
            column = {name: index for index, name in enumerate(header)}
            assert rows
            for row in rows:
                for name in names:
                    cell = row[column[name]]
                    assert cell.startswith("'" + formula[0]), f"{formula!r} in {name}: {cell!r}"
