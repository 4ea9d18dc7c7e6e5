"""Hostile input on the forms anyone may post: the contact form (visitor,
member, trainer), accepting an invitation, signing up, Settings (name,
preferences, the calendar link, deleting the account), the reminders link,
the member's check-in and their replies to a trainer.
See ``tests.clubsite.hostile`` for the check every answer passes."""

from urllib.parse import quote

import pytest
from allauth.account.models import EmailAddress
from hypothesis import example, given
from hypothesis import strategies as st

from members.models import (
    Activity,
    ActivityScore,
    AreaPain,
    CheckIn,
    EmailDelivery,
    Invitation,
    Profile,
    Question,
    Reply,
    User,
)
from tests.clubsite.hostile import TRACKED, Ref, Sent
from tests.clubsite.hostile_posts import (
    FUZZ,
    SHORT_SURPRISES,
    any_text,
    field_value,
    form,
    prose,
    sent,
)
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

people = st.sampled_from([None, "member", "second_member", "trainer"])
names = st.sampled_from(["Sam", "Ana María", "李小龙", "O'Brien"]).flatmap(prose)
emails = st.sampled_from(["pat@example.com", "Pat.Lee+gym@Example.COM"]) | st.emails().filter(
    lambda email: len(email) <= 254
)
passwords = st.sampled_from(["correct-horse-battery-staple", "Ünïcödé-pässwörd-42"]).flatmap(prose)
# A token in an address: mostly the real one (None), else anything that fits in a path.
tokens = st.sampled_from([True, True, False]).flatmap(
    lambda real: st.none() if real else st.sampled_from(SHORT_SURPRISES) | any_text.filter(bool)
)


def _token_path(world, name: str, token: str | None, real: str, **kwargs) -> str:
    """The URL for the real token, or for ``token`` in its place."""
    path = world.url(name, token=Ref(real), **kwargs)
    if token is None:
        return path
    return path.replace(world.refs[real], quote(token, safe=""))


@FUZZ
@given(
    who=people,
    query=st.fixed_dictionaries(
        {},
        optional={"exercise": field_value(), "workout": field_value(st.just(Ref("done_workout")))},
    ),
    data=form(
        name=names,
        email=emails,
        about=st.sampled_from(["", Ref("about_exercise"), Ref("about_workout"), "exercise-0"]),
        subject=prose("How far from the wall?"),
        message=prose("My knee clicks on the way down. Should I stop?"),
        website=st.sampled_from(["", "http://spam.example"]),
        token=st.uuids().map(str),
    ),
    sent=sent,
)
def test_asking_a_question(world, who, query, data, sent):
    with world.attempt(who, sent) as attempt:
        attempt.post(world.url("contact"), data, query=query)
        attempt.check(
            may_change={Question, EmailDelivery},
            statuses={302, 400, 404, 422, 429},
            echo=["subject", "message"] if who else ["name", "email", "subject", "message"],
        )
        for question in attempt.written(Question):
            assert question.subject and question.message
            if who is not None:
                assert question.member == world.people[who]


@FUZZ
@given(
    who=st.sampled_from(["member", "second_member", "trainer"]),
    pk=st.sampled_from([Ref("question"), "0", "999999", "-1"]),
    data=form(**{"reply-text": prose("Should both legs feel it the same?")}),
    sent=sent,
)
def test_replying_in_a_conversation(world, who, pk, data, sent):
    """Only Alex writes in Alex's conversation; what is written is what was typed."""
    path = (
        world.url("members:reply", pk=Ref("question"))
        if isinstance(pk, Ref)
        else (f"/me/questions/{pk}/reply/")
    )
    with world.attempt(who, sent) as attempt:
        attempt.post(path, data)
        attempt.check(
            may_change={Question, Reply, EmailDelivery},
            statuses={302, 400, 404, 422},
            echo=["reply-text"],
        )
        for reply in attempt.written(Reply):
            assert who == "member" and not reply.from_trainer
            assert reply.text == attempt.value("reply-text").strip()
            assert reply.question_id == world.refs["question"]


@FUZZ
@given(
    token=tokens,
    data=form(
        like=passwords.map(lambda p: {"new_password1": p, "new_password2": p}),
        new_password1=passwords,
        new_password2=passwords,
    ),
    sent=sent,
)
def test_accepting_an_invitation(world, token, data, sent):
    path = _token_path(world, "invitation", token, "invitation_token")
    with world.attempt(None, sent) as attempt:
        attempt.post(path, data)
        attempt.check(
            may_change={User, EmailAddress, Invitation}, statuses={200, 302, 400, 404, 410}
        )
        for invitation in attempt.written(Invitation):
            assert invitation.accepted_at is not None
            member = invitation.member
            assert member.check_password(attempt.value("new_password1"))
            assert EmailAddress.objects.get(user=member, primary=True).verified


@FUZZ
@given(
    data=form(
        email=emails,
        password1=passwords,
        password2=passwords,
        display_name=names,
        like=st.builds(
            lambda email, password, name: {
                "email": email,
                "password1": password,
                "password2": password,
                "display_name": name,
            },
            emails,
            passwords,
            names,
        ),
    ),
    sent=sent,
)
def test_signing_up(world, data, sent):
    with world.attempt(None, sent) as attempt:
        attempt.post(world.url("account_signup"), data)
        attempt.check(
            may_change={User, Profile, EmailAddress},
            statuses={200, 302, 400, 429},
            echo=["display_name", "email"],
        )
        for user in attempt.written(User):
            assert user.profile.display_name.split() == attempt.value("display_name").split()
            assert not EmailAddress.objects.get(user=user).verified


@FUZZ
@given(
    who=st.sampled_from(["member", "trainer"]),
    data=form(
        display_name=names,
        weaker_side=st.sampled_from(["left", "right", "unsure", "both"]),
        units=st.sampled_from(["imperial", "metric", "furlongs"]),
        session_reminders=st.sampled_from(["on", "", "false"]),
        weekly_digest=st.sampled_from(["on", "", "false"]),
        pain_alerts=st.sampled_from(["on", "", "false"]),
        question_emails=st.sampled_from(["on", "", "false"]),
        bio=prose("At the club Mondays and Thursdays."),
    ),
    sent=sent,
)
def test_changing_settings(world, who, data, sent):
    with world.attempt(who, sent) as attempt:
        attempt.post(world.url("members:settings"), data)
        shown = ["display_name", "bio"] if who == "trainer" else ["display_name"]
        attempt.check(may_change={Profile}, statuses={302, 400, 422}, echo=shown)
        for profile in attempt.written(Profile):
            assert profile.user == world.people[who]
            assert profile.display_name.split() == attempt.value("display_name").split()
            # A member's form has no bio: what they post for one is ignored.
            wanted = attempt.value("bio").strip() if who == "trainer" else ""
            assert profile.bio == wanted


@FUZZ
@given(
    action=st.sampled_from(["members:calendar_create", "members:calendar_revoke"]),
    data=form(next=st.sampled_from(["/me/settings/", "/me/program/", "https://evil.example/"])),
    sent=sent,
)
def test_the_calendar_link(world, action, data, sent):
    with world.attempt("member", sent) as attempt:
        attempt.post(world.url(action), data)
        attempt.check(may_change={Profile}, statuses={302, 400})
        if attempt.response.status_code == 302:
            assert attempt.response["Location"] in {"/me/settings/", "/me/program/"}


@FUZZ
@given(
    who=st.sampled_from([None, "member", "second_member"]),
    action=st.sampled_from(["reminders_off", "reminders_on"]),
    token=tokens,
    data=form(),
    sent=sent,
)
def test_the_reminders_link(world, who, action, token, data, sent):
    path = _token_path(world, action, token, "reminders_token")
    with world.attempt(who, sent) as attempt:
        attempt.post(path, data)
        attempt.check(may_change={Profile}, statuses={302, 400, 404})
        for profile in attempt.written(Profile):
            assert profile.user_id == world.refs["member"]
            assert profile.session_reminders == (action == "reminders_on")


@FUZZ
@given(
    data=form(confirm=st.sampled_from(["yes", "no", "YES", "on"])),
    sent=sent,
)
def test_deleting_the_account(world, data, sent):
    with world.attempt("member", sent) as attempt:
        # Deleting asks for the password again first.
        attempt.client.post(world.url("account_reauthenticate"), {"password": PASSWORD})
        attempt.settle()
        attempt.post(world.url("members:delete_account"), data)
        attempt.check(may_change=set(TRACKED), statuses={302, 400, 422})
        if attempt.response.status_code == 302:
            assert attempt.value("confirm") == "yes"
            member = User.objects.get(pk=world.refs["member"])
            assert not member.is_active and not member.has_usable_password()


scores = st.sampled_from([str(score) for score in range(11)])
# Every area answered: what a whole post holds besides its kind and activities.
ALL_AREAS = {f"{scale}_{number}": "4" for scale in ("worst", "usual") for number in range(3)}


@FUZZ
@given(
    who=st.sampled_from(["member", "second_member", "trainer"]),
    data=form(
        kind=st.sampled_from(["baseline", "baseline", "midway", "end"]),
        **{f"{scale}_{number}": scores for scale in ("worst", "usual") for number in range(3)},
        name_0=prose("Going down stairs"),
        new_score_0=scores,
        name_1=st.sampled_from(["", "Standing for an hour"]),
        new_score_1=st.sampled_from(["", "5"]),
    ),
    sent=sent,
)
# A whole answer to a check-in that is not the open one: nothing is stored.
@example(
    who="member",
    data={"kind": "midway", **ALL_AREAS, "name_0": "Stairs", "new_score_0": "5"},
    sent=Sent(),
)
def test_checking_in(world, who, data, sent):
    """Alex's baseline is open; the others have no block to check in on."""
    with world.attempt(who, sent) as attempt:
        attempt.post(world.url("members:check_in"), data)
        changes = attempt.check(
            may_change={CheckIn, AreaPain, Activity, ActivityScore},
            statuses={302, 404, 422},
            echo=["name_0", "name_1"],
        )
        for check_in in attempt.written(CheckIn):
            assert check_in.assignment.member == world.people["member"]
            assert check_in.kind == "baseline"
            assert check_in.areas.count() == 3
        for activity in attempt.written(Activity):
            assert activity.name == " ".join(activity.name.split()) != ""
        if changes:
            assert attempt.response.status_code == 302
