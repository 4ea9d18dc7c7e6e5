"""A trainer's follow-up of a pain flag: acknowledged, then resolved with a note
that reaches the member."""

import pytest
from django.utils.html import escape

from members.models import (
    PainFlag,
)
from tests.factories import put_on_block
from tests.members.logger_helpers import (
    MONDAY,
)


@pytest.mark.django_db
def test_acknowledge_and_resolve_a_pain_flag_with_a_note(
    trainer_client, trainer, member, mailoutbox, django_capture_on_commit_callbacks
):
    put_on_block(member, trainer=trainer, start_date=MONDAY)
    flag = PainFlag.objects.create(member=member, level=3, note="heel")
    trainer_client.post(f"/trainer/pain/{flag.pk}/acknowledge/")
    flag.refresh_from_db()
    assert flag.status == "acknowledged" and flag.acknowledged_at

    empty = trainer_client.post(f"/trainer/pain/{flag.pk}/resolve/", {"note": " "})
    assert empty.status_code == 422
    assert f'id="resolve-error-{flag.pk}" role="alert">Write the member a note' in empty.text
    # Too long: the message at the field, and every word typed still there.
    long_note = "Rest, then <ease> back in. " * 80
    too_long = trainer_client.post(f"/trainer/pain/{flag.pk}/resolve/", {"note": long_note})
    assert too_long.status_code == 422
    assert "Keep the note under 2,000 characters (it has 2,159)." in too_long.text
    assert f'aria-describedby="resolve-error-{flag.pk}"' in too_long.text
    assert f"{escape(long_note)}</textarea>" in too_long.text
    # A NUL character (PostgreSQL refuses it: a server error there) is refused too.
    nul = trainer_client.post(f"/trainer/pain/{flag.pk}/resolve/", {"note": "Rest\x00"})
    assert nul.status_code == 422
    assert "Null characters are not allowed." in nul.text
    flag.refresh_from_db()
    assert flag.status == "acknowledged"
    with django_capture_on_commit_callbacks(execute=True):
        trainer_client.post(
            f"/trainer/pain/{flag.pk}/resolve/", {"note": "Rest <b>two</b> days, then 10 in."}
        )
        trainer_client.post(f"/trainer/pain/{flag.pk}/resolve/", {"note": "Again"})
    flag.refresh_from_db()
    assert flag.status == "resolved" and flag.resolved_by == trainer
    assert flag.resolution_note == "Rest <b>two</b> days, then 10 in."
    (message,) = mailoutbox
    assert message.to == [member.email]
    assert message.reply_to == [trainer.email]
    assert "Rest <b>two</b> days, then 10 in." in message.body
    assert "Rest &lt;b&gt;two&lt;/b&gt; days" in message.alternatives[0].content
