import datetime as dt

import pytest
import time_machine
from django.core import mail

from members.blocks.steering import end_block
from members.logbook import emails as notices
from members.models import (
    PainFlag,
    Profile,
    StepOverride,
)
from members.questions.services import ask
from tests.factories import put_on_block
from tests.members.coaching.handover import ALEX, FRI, TUE, TUESDAY, calf_step
from tests.members.logger_helpers import CLUB, finished_workout


@pytest.fixture
def tuesday():
    """Tuesday, November 17th, 10:00 at the club."""
    with time_machine.travel(dt.datetime.combine(TUESDAY, dt.time(10), tzinfo=CLUB), tick=False):
        yield


@pytest.fixture
def kai_trains_alex(member, other_trainer):
    """Kai's block for Alex, three weeks from last Monday, one session done,
    a pain report and a question to Kai."""
    block = put_on_block(
        member, trainer=other_trainer, start_date=TUESDAY - dt.timedelta(days=8), weeks=3
    )
    workout = finished_workout(member, block.planned_sessions.get(number=1))
    flag = PainFlag.objects.create(member=member, workout=workout, level=3, note=ALEX[2])
    notices.pain_alert(flag)  # queued to Kai
    question = ask(
        member=member, name="Alex", email=member.email, subject="Wall", message="How far?"
    )
    assert question.trainer == other_trainer
    mail.outbox.clear()
    return block, flag, question


@pytest.fixture
def makana_takes_alex_on(kai_trains_alex, member, trainer):
    """Kai ends the block and hands Alex over; Makana puts Alex on a new one
    and sets Alex's numbers for a step."""
    kai_block, flag, question = kai_trains_alex
    end_block(assignment=kai_block)
    Profile.objects.filter(user=member).update(trainer=trainer)
    makana_block = put_on_block(
        member, trainer=trainer, start_date=TUESDAY, weekdays=(TUE, FRI), weeks=3
    )
    assert Profile.objects.get(user=member).trainer == trainer
    override = StepOverride.objects.create(
        member=member, step=calf_step(), reps=12, set_by=trainer
    )
    mail.outbox.clear()
    return {
        "kai_block": kai_block,
        "makana_block": makana_block,
        "flag": flag,
        "question": question,
        "override": override,
    }
