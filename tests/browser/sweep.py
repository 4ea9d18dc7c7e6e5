"""The logger sweep's member: taps like a person on a phone and checks, after
each tap, that the logger is still whole (see ``test_logger_sweep``). The
checks are read from the page itself, in JavaScript."""

from collections import Counter
from pathlib import Path

from playwright.sync_api import expect

from members.models import Workout
from tests.browser.conftest import PHONE

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


FOUR_G_LATENCY_MS = 165


def four_g(page):
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
