"""The block form (the trainer's Assign page and the admin's "put on a
routine" action) describes every published routine in its help text."""

import pytest

from members.blocks.forms import BlockForm
from routines.models import Routine
from tests.factories import ground_up_routine

pytestmark = pytest.mark.django_db


def test_the_routines_help_text_escapes_titles_trainers_typed(trainer_client, member):
    routine = ground_up_routine()
    Routine.objects.filter(pk=routine.pk).update(title="<script>alert(1)</script> & Knees")

    help_text = BlockForm().fields["routine"].help_text
    assert help_text == (
        "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Knees: twice a week, 2–4 weeks."
    )
    page = trainer_client.get(f"/trainer/assign/?member={member.pk}").text
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Knees: twice a week" in page
