import pytest
from django.core import mail
from django.utils import timezone

from routines.models import Exercise
from tests.factories import put_on_block
from tests.members.questions.contact import asks


@pytest.fixture
def on_block(member, trainer):
    return put_on_block(member, trainer=trainer, start_date=timezone.localdate())


@pytest.fixture
def calf_raise(on_block):
    return Exercise.objects.get(name__iexact="calf raise")


@pytest.fixture
def asked(member, on_block):
    question = asks(member, "How far from the wall?")
    mail.outbox.clear()
    return question
