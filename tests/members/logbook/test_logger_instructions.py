"""The logger's instructions: open on the member's first session of the
routine, folded once they have finished it before, and staying so when a
knob or option answer redraws the card."""

import pytest

from members.logbook.sets import log_all_as_prescribed
from members.logbook.workouts import finish_workout, record_pain_before, start_workout
from routines.models import Knob
from tests.members.logger_helpers import HTMX, no_pain, started_workout, step


def _instructions(html: str) -> list[str]:
    return [tag.split(">")[0] for tag in html.split('<details class="exercise-info"')[1:]]


@pytest.mark.django_db
def test_instructions_are_open_on_a_first_session_and_folded_after(member_client, member, trainer):
    first = started_workout(member, trainer)
    opened = _instructions(member_client.get(f"/me/sessions/{first.pk}/").text)
    assert opened and all(tag == " open" for tag in opened)

    for main in first.prescription["steps"]:
        log_all_as_prescribed(workout=first, step_id=main["id"])
    no_pain(first)
    finish_workout(workout=first)
    second = record_pain_before(workout=start_workout(member=member), level=0)
    assert second.pk != first.pk
    folded = _instructions(member_client.get(f"/me/sessions/{second.pk}/").text)
    assert len(folded) == len(opened) and all(tag == "" for tag in folded)

    # A card redrawn by an htmx answer keeps them folded.
    tibialis = step(second, "Tibialis raise")
    knob = Knob.objects.get(exercise=tibialis["exercise_id"])
    response = member_client.post(
        f"/me/sessions/{second.pk}/steps/{tibialis['id']}/knob/",
        {"knob": knob.pk, "direction": "set", "value": "9"},
        **HTMX,
    )
    assert response.status_code == 200
    redrawn = _instructions(response.text)
    assert redrawn and all(tag == "" for tag in redrawn)
