"""A member on a phone uses every control the logger has, once or more, in one
session, without reloading. After each action the page must still be whole:
the timer and its Start button on the timed step, each card's "x of y sets"
line, an "All N sets" button for every exercise with sets left, and focus
where the next tap goes. Any console error, uncaught exception, htmx error
event or CSP report fails the sweep (``watched_page``). The same sweep runs
on a 4G-like connection, and with one post lost on the way and tapped again.

Set SWEEP_SHOTS to a folder to keep a screenshot of the timed card after each
of its swaps."""

import datetime as dt
import os
import re
from collections import Counter
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from members.models import PainFlag, SetLog, Workout
from routines.seed import seed_ground_up_routine
from tests.browser.conftest import PHONE, sign_in
from tests.factories import put_on_block

# Every action the logger offers today; the sweep must use each at least once.
ACTIONS = {
    "pain check unanswered",
    "start",
    "log",
    "edit a count",
    "undo",
    "all as prescribed",
    "easier",
    "harder",
    "typed knob value",
    "alternative",
    "back from the alternative",
    "weaker side",
    "timer start",
    "timer stop and log",
    "pain on an exercise",
    "no pain on an exercise",
    "finish with a pain question unanswered",
    "finish",
    "reopen",
}

# Counts finished htmx requests and settles, so a tap can wait for its swap
# to be over before the page is checked.
_SETTLE_COUNTER = """
window.__sweep = {settled: 0, inflight: 0};
document.addEventListener("htmx:beforeRequest", () => window.__sweep.inflight++);
document.addEventListener("htmx:afterRequest", () => window.__sweep.inflight--);
document.addEventListener("htmx:afterSettle", () => window.__sweep.settled++);
"""

# What must hold on the logger after every swap, read from the page itself.
_WHOLE_PAGE = """
() => {
  const problems = [];
  const visible = (el) =>
    el && !el.hidden && !el.closest("[hidden]") && el.getClientRects().length > 0;
  for (const group of document.querySelectorAll(".step-group")) {
    const id = group.id;
    const rows = [...group.querySelectorAll(".set-row")];
    const logged = rows.filter((r) => r.matches(".is-logged")).length;
    const count = group.querySelector(`#${id}-count`);
    if (!visible(count)) problems.push(`${id}: the "x of y sets" line is missing`);
    else if (count.textContent.trim() !== `${logged} of ${rows.length} sets`)
      problems.push(
        `${id}: "${count.textContent.trim()}" but ${logged} of ${rows.length} rows logged`);
    if (!group.querySelector(`#${id}-all`)) problems.push(`${id}: the "All sets" area is missing`);
    const pair = group.querySelectorAll(".exercise-name").length > 0;
    for (const block of group.querySelectorAll(".exercise-block")) {
      const heading = pair ? block.querySelector(".exercise-name") : group.querySelector("h2");
      const name = heading.textContent.trim();
      const mine = rows.filter(
        (r) => !pair || r.querySelector(".set-exercise").textContent.trim() === name);
      const open = mine.filter((r) => r.querySelector(".log-button")).length;
      const wanted = `All ${open} sets of ${name} as prescribed`;
      const buttons = [...group.querySelectorAll(".all-button")].map((b) => b.textContent.trim());
      const has = buttons.includes(wanted);
      if (open > 1 && !has) problems.push(`${id}: no "${wanted}" button`);
      if (open <= 1 && buttons.some((b) => b.endsWith(`of ${name} as prescribed`)))
        problems.push(`${id}: an "All" button for ${name} with ${open} open sets`);
    }
    for (const row of rows) {
      if (row.matches(".is-logged") || !row.querySelector("input[name=minutes]")) continue;
      const timer = row.querySelector("[data-timer]");
      if (!visible(timer)) { problems.push(`${row.id}: the timer is missing`); continue; }
      const start = row.querySelector("[data-timer-start]");
      const stop = row.querySelector("[data-timer-stop]");
      if (!visible(start) && !visible(stop)) problems.push(`${row.id}: no Start or Stop button`);
      if (!/\\d+:\\d\\d/.test(row.querySelector(".timer-display").textContent))
        problems.push(`${row.id}: the timer shows no time`);
    }
  }
  const progress = document.querySelector("#session-progress");
  if (document.querySelector(".step-group") && !progress)
    problems.push("the session's progress is missing");
  return problems;
}
"""

# Per card, the controls that no action of the sweep takes away.
_CONTROLS = """
() => Object.fromEntries([...document.querySelectorAll(".step-group")].map((g) => [g.id, {
  knobs: g.querySelectorAll(".knob-form").length,
  options: g.querySelectorAll(".option-form").length,
  howTo: g.querySelectorAll(".how-to-do").length,
  rows: g.querySelectorAll(".set-row").length,
}]))
"""


class Sweep:
    """Taps like the member and checks the page after each tap."""

    def __init__(self, page, site, *, shots: Path | None = None, label: str = ""):
        self.page, self.site = page, site
        self.actions: Counter[str] = Counter()
        self.shots, self.label = shots, label
        page.add_init_script(script=_SETTLE_COUNTER)

    # Finding things -----------------------------------------------------
    def card(self, exercise: str):
        workout = Workout.objects.order_by("-pk").first()
        step_id = next(
            main["id"]
            for main in workout.prescription["steps"]
            if main["name"] == exercise or any(o["name"] == exercise for o in main["options"])
        )
        group = self.page.locator(f"#step-{step_id}")
        if group.count():
            return group
        # The second of a pair lives in the first one's card.
        return self.page.locator(".step-group", has=self.page.locator(f"#set-{step_id}-1-both"))

    def block(self, card, exercise: str):
        blocks = card.locator(".exercise-block")
        if card.locator(".exercise-name").count():
            return blocks.filter(has=self.page.locator(".exercise-name", has_text=exercise))
        return blocks

    # Acting ---------------------------------------------------------------
    def swap(self, action: str, locator, *, check_controls: bool = True):
        """Tap something htmx answers with a swap; wait for it to settle; check."""
        before = self.page.evaluate(_CONTROLS)
        settled = self.page.evaluate("window.__sweep.settled")
        locator.click()
        self.page.wait_for_function(
            "n => window.__sweep.settled > n && window.__sweep.inflight === 0", arg=settled
        )
        self.actions[action] += 1
        self.assert_whole(action)
        if check_controls:
            assert self.page.evaluate(_CONTROLS) == before, f"after {action}: controls changed"

    def navigate(self, action: str, locator, *, lands_on: str, refused: bool = False):
        """Tap something that loads a new page (start, finish, reopen). A
        refused form answers 422, which Chromium notes in the console."""
        if refused:
            with self.page.watch.expecting("status of 422"):
                locator.click()
                expect(self.page.get_by_text(lands_on).first).to_be_visible()
        else:
            locator.click()
        expect(self.page.get_by_text(lands_on).first).to_be_visible()
        self.page.wait_for_load_state("load")  # logger.js is deferred
        self.actions[action] += 1
        self.assert_whole(action)

    def assert_whole(self, action: str):
        problems = self.page.evaluate(_WHOLE_PAGE)
        assert problems == [], f"after {action}:\n  " + "\n  ".join(problems)
        self.page.watch.assert_clean()

    def assert_focus_in(self, locator, action: str):
        expect(locator, f"focus after {action}").to_be_focused()

    def shoot_page(self, name: str, locator=None):
        """The page (or ``locator`` in it) at phone and at desktop size."""
        if not self.shots:
            return
        self.shots.mkdir(parents=True, exist_ok=True)
        for size, viewport in (("phone", PHONE), ("desktop", {"width": 1280, "height": 900})):
            self.page.set_viewport_size(viewport)
            target = locator or self.page
            if locator is not None:
                locator.scroll_into_view_if_needed()
            target.screenshot(path=str(self.shots / f"{self.label}{name}-{size}.png"))
        self.page.set_viewport_size(PHONE)

    def no_pain(self, card, exercise: str):
        """“Any pain during <exercise>?” None: one tap."""
        question = card.locator(".pain-ask", has_text=f"Any pain during {exercise}?")
        expect(question).to_be_visible()
        self.swap("no pain on an exercise", question.get_by_role("button", name="None"))
        expect(question).to_have_count(0)

    def shoot(self, name: str):
        if self.shots:
            self.shots.mkdir(parents=True, exist_ok=True)
            card = self.card("Backwards walking")
            card.screenshot(path=str(self.shots / f"{self.label}{name}.png"))


@pytest.fixture
def new_to_the_routine(member, trainer):
    """Alex, on the routine since Monday, has not said which side is weaker."""
    seed_ground_up_routine()
    today = timezone.localdate()
    put_on_block(member, trainer=trainer, start_date=today - dt.timedelta(days=today.weekday()))
    return member


FOUR_G_LATENCY_MS = 165


def _four_g(page):
    """Chromium's own throttle, as DevTools' "Fast 4G" preset sets it."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": FOUR_G_LATENCY_MS,
            "downloadThroughput": 9 * 1024 * 1024 // 8,
            "uploadThroughput": 1.5 * 1024 * 1024 // 8,
        },
    )
    return cdp


def run_sweep(sweep: Sweep, *, drop_one_post: bool = False):
    page = sweep.page

    # Today -> the zero-pain rule -> "any pain right now?" -> the logger.
    page.get_by_role("button", name=re.compile(r"^Start session \d")).click()
    page.get_by_role("button", name="I start every exercise from zero pain").click()
    # Nothing is chosen for the member: Start without an answer is refused.
    expect(page.get_by_role("radio", name="None")).not_to_be_checked()
    sweep.shoot_page("pain-check")
    sweep.navigate(
        "pain check unanswered",
        page.get_by_role("button", name="Start the session"),
        lands_on="Choose None, or how much it hurts from 1 to 10, to start.",
        refused=True,
    )
    page.get_by_role("radio", name="None").check()
    sweep.navigate(
        "start",
        page.get_by_role("button", name="Start the session"),
        lands_on="0 of 18 sets done",
    )

    # The timed step: the timer started and stopped logs the walk.
    walking = sweep.card("Backwards walking")
    walking_row = walking.locator(".set-row")
    sweep.shoot("01-opened")
    page.clock.install()
    walking_row.get_by_role("button", name="Start timer").click()
    sweep.actions["timer start"] += 1
    # Half way, longer strides: the card is swapped and its timer runs on.
    page.clock.fast_forward("05:00")
    sweep.swap("harder", walking.get_by_role("button", name=re.compile("^Harder")))
    expect(walking.get_by_text("Stride length: long")).to_be_visible()
    expect(walking_row.get_by_role("button", name="Stop and log")).to_be_visible()
    expect(walking_row.get_by_role("button", name="Start timer")).to_be_hidden()
    expect(walking_row.locator(".timer-display")).to_have_text(re.compile(r"^(5:00|4:5\d)$"))
    sweep.shoot("01b-harder-while-running")
    page.clock.fast_forward("05:00")
    expect(walking_row.locator(".timer-display")).to_have_text(re.compile(r"0:00|Time's up"))
    sweep.swap("timer stop and log", walking_row.get_by_role("button", name="Stop and log"))
    expect(walking_row).to_have_class(re.compile(r"\bis-logged\b"))
    # Undo brings the timer back, with its Start button, and focus on Log.
    sweep.swap("undo", walking_row.get_by_role("button", name=re.compile("^Undo")))
    sweep.assert_focus_in(walking_row.locator(".log-button"), "undo")
    sweep.shoot("02-after-undo")

    # The alternative and back: the timer stays.
    sweep.swap("alternative", walking.get_by_role("button", name="Do Deadmill instead"))
    expect(walking.get_by_role("heading", name="Deadmill")).to_be_visible()
    expect(walking.locator(".timer-display")).to_have_text("5:00")
    sweep.shoot("03-deadmill")
    back = walking.get_by_role("button", name=re.compile("^Back to"))
    sweep.swap("back from the alternative", back)
    expect(walking.locator(".timer-display")).to_have_text("10:00")
    sweep.shoot("04-back-to-walking")

    # Stride length, easier then harder: the timer stays, focus stays on the knob.
    sweep.swap("easier", walking.get_by_role("button", name=re.compile("^Easier")))
    expect(walking.get_by_text("Stride length: moderate")).to_be_visible()
    sweep.assert_focus_in(walking.get_by_role("button", name=re.compile("^Easier")), "easier")
    sweep.shoot("05-easier")
    sweep.swap("harder", walking.get_by_role("button", name=re.compile("^Harder")))
    expect(walking.get_by_text("Stride length: long")).to_be_visible()
    sweep.shoot("06-harder")

    # The walk logged by its Log button: the card asks about pain, with
    # focus on None; None moves focus to the next set.
    sweep.swap("log", walking_row.locator(".log-button"))
    sweep.assert_focus_in(walking.get_by_role("button", name="None"), "the walk's last set")
    sweep.no_pain(walking, "Backwards walking")
    pair = sweep.card("Tibialis raise")
    sweep.assert_focus_in(pair.locator(".log-button").first, "no pain")

    # The raises: log one, correct its count, harder on the tibialis, a typed
    # distance, then the rest of each exercise as prescribed.
    first = pair.locator(".set-row").first
    sweep.swap("log", first.locator(".log-button"))
    first.locator("input.amount").fill("22")
    sweep.swap("edit a count", first.get_by_role("button", name=re.compile("^Save")))
    expect(first.get_by_text("Saved")).to_be_visible()
    sweep.assert_focus_in(first.get_by_role("button", name=re.compile("^Save")), "edit")
    tibialis = sweep.block(pair, "Tibialis raise")
    sweep.swap("harder", tibialis.get_by_role("button", name=re.compile("^Harder")))
    expect(tibialis.get_by_text("Feet distance from wall: 13 in")).to_be_visible()
    tibialis.get_by_text("Type a different value").click()
    tibialis.get_by_role("spinbutton").fill("14")
    sweep.swap("typed knob value", tibialis.get_by_role("button", name=re.compile("^Save")))
    expect(tibialis.get_by_text("Feet distance from wall: 14 in")).to_be_visible()
    sweep.swap(
        "all as prescribed",
        pair.get_by_role("button", name="All 2 sets of Calf raise as prescribed"),
    )
    expect(pair.get_by_text("Any pain during Calf raise?")).to_be_visible()
    sweep.shoot_page("calf-raise-asks", pair)
    sweep.swap("log", pair.locator(".log-button").first)
    sweep.no_pain(pair, "Tibialis raise")
    sweep.no_pain(pair, "Calf raise")

    # The Patrick step's extra set is due from the start, on a row that asks
    # which side is weaker; answered, the row is a set to log, the total the same.
    patrick = sweep.card("Patrick step")
    sweep.swap("log", patrick.locator(".log-button").first)
    left = patrick.get_by_role("button", name=re.compile("^Left"))
    sweep.swap("weaker side", left)
    sweep.swap(
        "all as prescribed",
        patrick.get_by_role("button", name=re.compile(r"^All \d sets of Patrick step")),
    )
    sweep.no_pain(patrick, "Patrick step")

    # The Nordic, easier with a band; one set's post lost on the way.
    nordic = sweep.card("Regressed reverse Nordic")
    sweep.swap("easier", nordic.get_by_role("button", name=re.compile("^Easier")))
    nordic_row = nordic.locator(".set-row").first
    if drop_one_post:
        page.route("**/sets/", lambda route: route.abort("internetdisconnected"), times=1)
        with page.watch.expecting("htmx:sendError", "Failed to load resource", "^htmx:"):
            nordic_row.locator(".log-button").click()
            expect(nordic_row.get_by_role("alert")).to_contain_text("Not saved: no connection")
        sweep.assert_whole("a lost post")
    sweep.swap("log", nordic_row.locator(".log-button"))
    sweep.swap("log", nordic.locator(".log-button").first)

    # The curl: one set, then pain stops it.
    curl = sweep.card("Single-leg hamstring curl")
    sweep.swap("log", curl.locator(".log-button").first)
    curl.get_by_text("Pain during Single-leg hamstring curl?").click()
    curl.get_by_role("radio", name="2", exact=True).check()
    sweep.swap("pain on an exercise", curl.get_by_role("button", name="Stop this exercise"))
    expect(curl.get_by_role("heading", name="Stopped: pain 2/10")).to_be_visible()

    # Finish with the Nordic's question unanswered: refused, with a link to it.
    sweep.navigate(
        "finish with a pain question unanswered",
        page.get_by_role("button", name="Finish session"),
        lands_on="Before you finish, answer",
        refused=True,
    )
    sweep.shoot_page("finish-refused", page.locator(".finish-form"))
    page.locator("#finish-pain").get_by_role("link", name="Regressed reverse Nordic").click()
    sweep.no_pain(nordic, "Regressed reverse Nordic")
    sweep.navigate(
        "finish",
        page.get_by_role("button", name="Finish session"),
        lands_on="Session partly done",
    )
    sweep.navigate(
        "reopen",
        page.get_by_role("button", name="Reopen to fix a mistake"),
        lands_on="Finish session",
    )
    # Reopened, the page is the logger again, every control in place.
    expect(page.locator(".step-group")).to_have_count(5)


def _check_the_record(member):
    workout = Workout.objects.get()
    assert workout.finished_at is None  # reopened
    logs = SetLog.objects.filter(workout=workout)
    # Walk 1, raises 4, Patrick 5, Nordic 2, curl 1: each once, the lost post
    # included.
    assert logs.count() == 13
    assert logs.get(exercise__name="Tibialis raise", set_number=1).reps == 22
    assert PainFlag.objects.get().exercise.name == "Single-leg hamstring curl"
    # “Any pain during it?” answered None for every other exercise, one tap each.
    assert len(workout.pain_after) == 5
    assert member.profile.__class__.objects.get(user=member).weaker_side == "left"


def _report(sweep, capsys, name):
    with capsys.disabled():
        print(
            f"\nsweep ({name}): {sum(sweep.actions.values())} actions, "
            f"{len(sweep.page.watch.problems)} errors"
        )
    assert set(sweep.actions) >= ACTIONS, f"not used: {ACTIONS - set(sweep.actions)}"


def _shots(name):
    folder = os.environ.get("SWEEP_SHOTS")
    return (Path(folder), f"{name}-") if folder else (None, "")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("network", ["plain", "4g", "one-post-lost"])
def test_every_logger_action_leaves_the_page_whole(
    watched_page, site, new_to_the_routine, network, capsys
):
    page = watched_page
    shots, label = _shots(network)
    sweep = Sweep(page, site, shots=shots, label=label)
    sign_in(page, site, new_to_the_routine.email)
    posts = []
    if network == "4g":
        _four_g(page)
        page.on(
            "requestfinished",
            lambda r: posts.append(r.timing["responseStart"]) if r.method == "POST" else None,
        )
    run_sweep(sweep, drop_one_post=network == "one-post-lost")
    _check_the_record(new_to_the_routine)
    if network == "4g":
        # The throttle was on: every post waited at least the round trip.
        assert posts and min(posts) >= FOUR_G_LATENCY_MS, posts
    _report(sweep, capsys, network)


@pytest.mark.django_db(transaction=True)
def test_the_watch_sees_each_kind_of_problem_under_the_pages_csp(watched_page, site):
    """The sweep's zero means something: each kind of problem, made on
    purpose on a page served with the strict CSP, is seen."""
    page = watched_page
    response = page.goto(site + "/accounts/login/")
    assert "script-src 'self' 'nonce-" in response.headers["content-security-policy"]
    page.watch.assert_watching()  # the init script ran, with no nonce, under that CSP
    # Each made on purpose, each waited for where it happens.
    page.evaluate(
        """() => new Promise((resolve) => {
          document.addEventListener("securitypolicyviolation", resolve, {once: true});
          const script = document.createElement("script");  // no nonce: blocked
          script.textContent = "window.ran = true";
          document.body.append(script);
        })"""
    )
    with page.expect_console_message(lambda message: message.type == "error"):
        page.evaluate("console.error('an error in the console')")
    page.evaluate(
        """() => htmx.swap(document.body, '<p id="nowhere" hx-swap-oob="true">x</p>',
                           {swapStyle: "beforeend"})"""
    )
    with page.expect_event("pageerror"):
        page.evaluate("setTimeout(() => { throw new Error('uncaught'); })")
    page.evaluate("() => 0")  # a round trip, so reports sent before it have landed
    assert {kind for kind, _ in page.watch.problems} == {"csp", "console", "htmx", "pageerror"}
    assert ("htmx", "htmx:oobErrorNoTarget #nowhere") in page.watch.problems
    assert page.evaluate("window.ran") is None
    page.watch.problems.clear()
