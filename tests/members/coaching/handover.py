"""Kai put Alex on a block; Makana then takes Alex on (a new block, and Alex's
profile names Makana). What the tests of access over time share: the days,
what Kai may try on Alex, and the check that each try changed nothing."""

import datetime as dt

from django.core import mail

from members import models
from routines.models import Step
from tests.factories import ground_up_routine

TUESDAY = dt.date(2026, 11, 17)
MON, TUE, THU, FRI = 0, 1, 3, 4
# What Alex's page shows that must never reach a trainer who may not see it.
ALEX = ["Alex", "alex@example.com", "Heel sore on the step"]


def calf_step() -> Step:
    return ground_up_routine().steps.get(exercise__name="Calf raise")


# The rows a trainer's action on a member can change or add, and the columns
# that would show the change.
WATCHED = {
    models.Assignment: ("status", "weeks", "weekdays"),
    models.PlannedSession: ("date",),
    models.StepOverride: ("reps", "sets", "note"),
    models.TrainerNote: (),
    models.PainFlag: ("status", "resolution_note"),
    models.Question: ("status", "answer"),
    models.Invitation: ("send_count", "token_hash"),
    models.EmailDelivery: ("state",),
    models.Profile: ("trainer_id",),
}


def fingerprint() -> tuple:
    """Every watched row as it is now."""
    return tuple(
        list(model.objects.order_by("pk").values_list("pk", *columns))
        for model, columns in WATCHED.items()
    )


def renew_data(block) -> dict:
    return {
        "renew-start_date": (TUESDAY + dt.timedelta(days=7)).isoformat(),
        "renew-weekdays": [str(day) for day in block.weekday_list],
        "renew-weeks": "2",
    }


def attacks(world: dict) -> list[tuple[str, str, dict | None]]:
    """(what, path, post data or None for a GET): everything Kai tried."""
    calf = calf_step()
    attempts = []
    for which in ["kai_block", "makana_block"]:
        block = world[which]
        base = f"/trainer/blocks/{block.pk}"
        attempts += [
            (f"note on {which}", f"{base}/notes/", {"note-text": "Call me, not Makana."}),
            (
                f"override on {which}",
                f"{base}/overrides/",
                {"override-step": calf.pk, "override-reps": "40"},
            ),
            # No change and no note: a refused form, answered with the page (422).
            (f"refused override on {which}", f"{base}/overrides/", {"override-step": calf.pk}),
            (f"refused note on {which}", f"{base}/notes/", {"note-text": " "}),
            (f"pause {which}", f"{base}/pause/", {}),
            (f"resume {which}", f"{base}/resume/", {}),
            (f"extend {which}", f"{base}/extend/", {"extend-weeks": "1"}),
            (f"end {which}", f"{base}/end/", {}),
            (f"renew {which}", f"{base}/renew/", renew_data(block)),
        ]
    flag, question = world["flag"], world["question"]
    return [
        *attempts,
        ("remove override", f"/trainer/overrides/{world['override'].pk}/remove/", {}),
        ("acknowledge pain", f"/trainer/pain/{flag.pk}/acknowledge/", {}),
        ("resolve pain", f"/trainer/pain/{flag.pk}/resolve/", {"note": "Rest, says Kai."}),
        ("refused pain note", f"/trainer/pain/{flag.pk}/resolve/", {"note": ""}),
        ("member page", f"/trainer/members/{world['makana_block'].member_id}/", None),
        ("member's sets", f"/trainer/export.csv?member={world['makana_block'].member_id}", None),
        ("question", f"/trainer/questions/{question.pk}/", None),
        ("answer", f"/trainer/questions/{question.pk}/answer/", {"answer-text": "12 in."}),
        ("refused answer", f"/trainer/questions/{question.pk}/answer/", {"answer-text": ""}),
        ("close question", f"/trainer/questions/{question.pk}/close/", {}),
    ]


def _try(client, path, data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        if data is None:
            return client.get(path)
        return client.post(path, data)


def assert_refused(client, world, who, django_capture_on_commit_callbacks):
    for what, path, data in attacks(world):
        before = fingerprint()
        response = _try(client, path, data, django_capture_on_commit_callbacks)
        assert response.status_code == 404, f"{who}: {what} ({path})"
        assert fingerprint() == before, f"{who}: {what} changed something"
        assert mail.outbox == [], f"{who}: {what} sent an email"
        assert not any(word in response.text for word in ALEX), f"{who}: {what} showed Alex"
