"""Questions, on a phone: a member asks about the calf raise from
its card, the trainer answers in the app, the member reads the answer on
their Questions page and in their email and writes back, and the trainer
replies again: a conversation. A visitor fixes a mistake and asks."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from members.models import Question
from tests.browser.conftest import assert_accessible, signed_in
from tests.factories import put_on_block

GUIDE = "/routines/reversing-foot-ankle-and-knee-pain/"


@pytest.mark.django_db(transaction=True)
def test_member_asks_from_the_calf_raise_card_and_reads_the_trainers_answer(
    watched_page, site, member, trainer, mailoutbox
):
    page = watched_page
    put_on_block(member, trainer=trainer, start_date=timezone.localdate())
    signed_in(page, site, member.email)

    # From the calf raise's card in the guide, "Ask about this".
    page.goto(site + GUIDE)
    card = page.locator("article.step-card", has=page.get_by_role("heading", name="Calf raise"))
    card.get_by_role("link", name="Ask about this: Calf raise").click()

    # The form knows the topic and who is asking.
    expect(page.get_by_role("heading", name="Ask a question")).to_be_visible()
    expect(page.get_by_text("Makana reads it")).to_be_visible()
    expect(page.get_by_label("About")).to_have_value(re.compile(r"^exercise-\d+$"))
    expect(page.get_by_label("About").locator("option:checked")).to_have_text("Calf raise")
    expect(page.get_by_label("Subject")).to_have_value("About Calf raise")
    page.get_by_label("Your question").fill("My calves burn after 10 reps. Stop, or push on?")
    assert_accessible(page)
    page.get_by_role("button", name="Send question").click()

    expect(page.get_by_role("heading", name="Your question is on its way")).to_be_visible()
    expect(page.get_by_text("Makana will answer by email to alex@example.com")).to_be_visible()
    assert_accessible(page)
    (to_trainer,) = [m for m in mailoutbox if m.to == [trainer.email]]
    assert to_trainer.reply_to == ["Alex Rivera <alex@example.com>"]
    assert "about Calf raise" in to_trainer.body

    # The trainer finds it in the inbox and answers in the app.
    page.context.clear_cookies()
    signed_in(page, site, trainer.email, lands_on="/trainer/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Questions").click()
    expect(page.get_by_role("link", name="Waiting for an answer 1")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="About Calf raise").click()
    expect(page.get_by_text("My calves burn after 10 reps.")).to_be_visible()
    answer = "Stop at 10 for now, rest a minute, then do the rest of the set."
    page.get_by_label("Your answer").fill(answer)
    assert_accessible(page)
    page.get_by_role("button", name="Send answer").click()
    expect(
        page.get_by_text("Answer saved. It is on its way to Alex Rivera by email.")
    ).to_be_visible()
    assert Question.objects.get().status == "answered"
    (emailed,) = [m for m in mailoutbox if answer in m.body]
    assert emailed.to == [member.email]

    # The member reads it on their Questions page.
    page.context.clear_cookies()
    signed_in(page, site, member.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Questions").click()
    item = page.locator(".question-item").first
    expect(item).to_contain_text("Answered")
    expect(item).to_contain_text(answer)
    expect(item.get_by_text("New reply")).to_be_visible()
    assert_accessible(page)

    # They write back: an empty reply is said at the field, then it goes.
    item.get_by_text("Reply", exact=True).click()
    with page.watch.expecting("status of 422"):
        item.get_by_role("button", name="Send reply").click()
        expect(page.get_by_text("Write your reply first.")).to_be_visible()
    item = page.locator(".question-item").first
    follow_up = "Should I still do the third set on my left leg?"
    item.get_by_label("Your reply").fill(follow_up)
    assert_accessible(page)
    item.get_by_role("button", name="Send reply").click()
    expect(page.get_by_text("Reply sent to Makana.")).to_be_visible()
    item = page.locator(".question-item").first
    expect(item.locator(".turn")).to_have_count(3)
    expect(item).to_contain_text("Waiting for an answer")
    expect(item.get_by_text("New reply")).to_have_count(0)
    (to_trainer,) = [m for m in mailoutbox if follow_up in m.body]
    assert to_trainer.to == [trainer.email]

    # The trainer sees the reply is new, and replies in turn.
    page.context.clear_cookies()
    signed_in(page, site, trainer.email, lands_on="/trainer/questions/")
    expect(page.locator(".question-item").first.get_by_text("New reply")).to_be_visible()
    page.get_by_role("link", name="About Calf raise").click()
    expect(page.locator(".turn")).to_have_count(3)
    last = "Yes: the third set on the left, if it stays free of pain."
    page.get_by_label("Your reply").fill(last)
    page.get_by_role("button", name="Send reply").click()
    expect(
        page.get_by_text("Reply sent. It is on its way to Alex Rivera by email.")
    ).to_be_visible()
    expect(page.locator(".turn")).to_have_count(4)
    assert_accessible(page)

    # Back on the phone, the member reads the whole conversation.
    page.context.clear_cookies()
    signed_in(page, site, member.email, lands_on="/me/questions/")
    item = page.locator(".question-item").first
    expect(item.get_by_text("New reply")).to_be_visible()
    expect(item.locator(".turn").last).to_contain_text(last)
    assert [m.to for m in mailoutbox if last in m.body] == [[member.email]]


@pytest.mark.django_db(transaction=True)
def test_a_visitor_fixes_a_mistake_without_retyping_and_asks(page, site, settings, mailoutbox):
    settings.CLUB_CONTACT_EMAIL = "desk@club.example.com"
    page.goto(site + "/")
    page.get_by_role("main").get_by_role("link", name="Ask the trainers a question").click()

    page.get_by_label("Your name").fill("Robin Park")
    page.get_by_label("Your email address").fill("robin@")
    page.get_by_label("Subject").fill("Joining")
    page.get_by_label("Your question").fill("Can I follow the routine without being a member?")
    page.get_by_role("button", name="Send question").click()

    summary = page.get_by_role("alert").filter(has_text="Please fix this")
    expect(summary).to_contain_text("Enter a valid email address.")
    expect(page.get_by_label("Your question")).to_have_value(
        "Can I follow the routine without being a member?"
    )
    assert_accessible(page)
    summary.get_by_role("link").click()
    expect(page.get_by_label("Your email address")).to_be_focused()
    page.get_by_label("Your email address").fill("robin@example.net")
    page.get_by_role("button", name="Send question").click()

    expect(page.get_by_text("The club's trainers will answer by email")).to_be_visible()
    assert [m.to for m in mailoutbox if "Can I follow" in m.body] == [["desk@club.example.com"]]
