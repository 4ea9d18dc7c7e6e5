"""A member on a phone, as the soak and the drills load the site: signs in
through the sign-in form from an address of their own, then logs sessions
through the real pages with the retries of a flaky phone network."""

import dataclasses
import random
import re
import socket
import threading
import time
import uuid

from bench.support import DOMAIN, PASSWORD, Site, Visitor
from bench.tally import SetPost, Tally, tap_of

# What a phone's network does to some set posts.
RESEND = 0.08  # the same post again once it was answered (a double tap, a slow answer)
DROP = 0.05  # the answer never arrives: the post is sent again until one is answered
EDIT = 0.05  # the count corrected after logging, with the row's Save button
OFFLINE_REPLAY = 0.5  # an offline phone's queue sent again: this share of it
KEY = "Idempotency-Key"
# A 5xx page showing any of these gives away internals.
INTERNALS = re.compile(
    r"Traceback|File &quot;|File \"|psycopg|OperationalError|InterfaceError|django\.db"
    r"|site-packages|Exception Value|SELECT |settings\.py",
)


SET_ROW = re.compile(
    r'<form [^>]*id="set-(?P<key>[^"]+)"\s+class="set-row(?P<state>[^"]*)"[^>]*>'
    r"(?P<body>.*?)</form>",
    re.S,
)
HIDDEN = re.compile(r'name="(step|set_number|side)" value="([^"]*)"')
# A timed row shows minutes and seconds ("7:00"); the soak logs whole minutes.
AMOUNT = re.compile(r'name="(reps|minutes)" value="(\d+)(?::\d{2})?"')


@dataclasses.dataclass(frozen=True)
class Row:
    """A set row of the logger page, as its form would post it."""

    key: str
    step: int
    set_number: int
    side: str
    field: str  # reps or minutes
    prefill: int
    logged: bool


def set_rows(page: str) -> list[Row]:
    rows = []
    for match in SET_ROW.finditer(page):
        if "is-stopped" in match["state"]:
            continue
        amount = AMOUNT.search(match["body"])
        if amount is None:
            continue  # the extra set's row, asking which side is weaker
        hidden = dict(HIDDEN.findall(match["body"]))
        field, prefill = amount.groups()
        rows.append(
            Row(
                key=match["key"],
                step=int(hidden["step"]),
                set_number=int(hidden["set_number"]),
                side=hidden["side"],
                field=field,
                prefill=int(prefill),
                logged="is-logged" in match["state"],
            )
        )
    return rows


def shows_logged(text: str, row: Row, amount: int) -> bool:
    """The answer shows the row logged with the count sent."""
    found = next((r for r in set_rows(text) if r.key == row.key), None)
    return found is not None and found.logged and found.prefill == amount


class Member:
    """One member on their phone: signs in, then logs sessions until told to stop."""

    def __init__(
        self,
        site: Site,
        number: int,
        *,
        seed: int,
        patience: float = 60,
        offline: float = 0,
        pause: float = 0,
    ):
        self.site, self.number = site, number
        # Seconds before each tap, on average (half to one and a half of it): 0
        # taps again as soon as the answer is in.
        self.pause = pause
        # The share of sessions logged with no signal, then sent from the queue.
        self.offline = offline
        self.rng = random.Random(seed * 1000 + number)
        # Their own address behind the proxy: allauth's limits are per address.
        self.address = f"10.{number // 250}.{number % 250}.{1 + number % 200}"
        self.tally = Tally()
        self.visitor: Visitor | None = None
        self.patience = patience  # seconds a member keeps trying one thing

    def sign_in(self) -> None:
        deadline = time.monotonic() + self.patience
        while self.visitor is None:
            try:
                self.visitor = Visitor(
                    self.site,
                    f"member{self.number}@{DOMAIN}",
                    PASSWORD,
                    headers={"X-Forwarded-For": self.address},
                )
            except (OSError, SystemExit, AttributeError) as error:
                if time.monotonic() > deadline:
                    raise SystemExit(f"member{self.number} could not sign in: {error}") from None
                time.sleep(1)

    def run(self, until: float, stop: threading.Event) -> None:
        """Sessions, one after another, until ``until`` (or ``stop``)."""
        try:
            while time.monotonic() < until and not stop.is_set():
                opened = self.open_session()
                if opened is None:
                    continue
                workout, rows = opened
                self.tally.workouts.add(workout)
                sent_offline = set()
                if self.rng.random() < self.offline:
                    sent_offline = self._log_offline(workout, [r for r in rows if not r.logged])
                for row in rows:
                    if time.monotonic() >= until or stop.is_set():
                        return
                    if not row.logged and row.key not in sent_offline:
                        self._log(workout, row)
                # “Any pain during it?”: None, one tap per exercise, as Finish asks.
                for step in dict.fromkeys(row.step for row in rows):
                    self._until_ok(
                        "POST", f"/me/sessions/{workout}/steps/{step}/pain/", {"level": "0"}
                    )
                self._until_ok(
                    "POST", f"/me/sessions/{workout}/finish/", {"feeling": "about_right"}
                )
        except Exception as error:
            self.tally.socket_errors += 1
            self.tally.note(f"member{self.number} stopped: {error!r}")

    # Requests, counted.

    @property
    def signed_in(self) -> Visitor:
        if self.visitor is None:
            raise RuntimeError(f"member{self.number} is not signed in")
        return self.visitor

    def call(self, method: str, path: str, form: dict | None = None, **headers):
        """One request; None when the connection failed. A member's tap comes
        after their pause; the outbox sends its queue (keyed posts) at once."""
        if self.pause and KEY not in headers:
            time.sleep(self.pause * self.rng.uniform(0.5, 1.5))
        started = time.monotonic()
        try:
            if method == "GET":
                answer = self.signed_in.get(path, **headers)
            else:
                answer = self.signed_in.post(path, form or {}, **headers)
        except OSError as error:
            self.tally.socket_errors += 1
            self.tally.timeline.append((started, time.monotonic(), 0))
            self.tally.note(f"{method} {path}: {error!r}")
            return None
        answered = time.monotonic()
        self.tally.requests += 1
        self.tally.latencies.append(answered - started)
        self.tally.taps[tap_of(method, path)].append(answered - started)
        self.tally.statuses[answer.status] += 1
        self.tally.timeline.append((started, answered, answer.status))
        if answer.status >= 500:
            kind = f"{answer.status} {'htmx' if headers.get('HX-Request') else 'page'}"
            self.tally.samples.setdefault(kind, answer.text)
            if INTERNALS.search(answer.text):
                self.tally.internals += 1
                self.tally.note(f"{method} {path}: {answer.status}, showing internals")
        if answer.status >= 400:
            self.tally.note(f"{method} {path}: {answer.status}")
        return answer

    def drop(self, path: str, form: dict, **headers) -> None:
        """Send the post and hang up before the answer, as a phone losing signal."""
        raw = self.signed_in.raw("POST", path, form, **{"HX-Request": "true", **headers})
        try:
            with socket.create_connection(("127.0.0.1", self.site.port), timeout=10) as link:
                link.sendall(raw.encode())
                time.sleep(self.rng.uniform(0, 0.05))
        except OSError:
            pass  # lost on the way out: the same as lost on the way back
        self.tally.dropped += 1

    def _until_ok(self, method: str, path: str, form: dict | None = None):
        """Tap again (after a pause) until an answer that is not an error, as a
        member does after the logger's retry note."""
        deadline = time.monotonic() + self.patience
        tries = 0
        while True:
            if tries:
                self.tally.retries += 1
            answer = self.call(method, path, form)
            tries += 1
            if answer is not None and answer.status < 400:
                return answer
            if time.monotonic() > deadline:
                raise RuntimeError(f"{method} {path} failed for {self.patience:.0f} s")
            time.sleep(min(2.0, 0.25 * tries))

    def open_session(self):
        """Start (or go back to) today's session, past the pain check: its
        workout and set rows."""
        answer = self._until_ok("POST", "/me/sessions/start/")
        match = re.fullmatch(r"/me/sessions/(\d+)/", answer.location)
        if answer.status != 302 or match is None:
            raise RuntimeError(f"starting a session went to {answer.location!r}")
        workout = int(match.group(1))
        page = self._until_ok("GET", answer.location)
        if f'action="/me/sessions/{workout}/pain-check/"' in page.text:
            self._until_ok("POST", f"/me/sessions/{workout}/pain-check/", {"level": "0"})
            page = self._until_ok("GET", answer.location)
        return workout, set_rows(page.text)

    def _log_offline(self, workout: int, rows: list[Row]) -> set[str]:
        """The session's sets logged with no signal, as the phone's outbox keeps
        them: each with a key of its own, some corrected. When the signal comes
        back the queue is sent in order, each action until it is answered;
        then phones send it again (a second tab, a lost answer, a restart), in
        another order, with the same keys: every replay must be answered from
        its key and change nothing."""
        queue = []
        for row in rows:
            amount = self.rng.randint(max(0, row.prefill - 5), row.prefill + 5)
            if row.field == "minutes":
                amount = self.rng.randint(1, row.prefill + 2)
            queue.append((row, amount, False, uuid.uuid4().hex))
            if self.rng.random() < EDIT:
                queue.append((row, amount + 1, True, uuid.uuid4().hex))
        self.tally.offline_sets += len(queue)
        for row, amount, edit, key in queue:
            self._post_set(workout, row, amount, edit=edit, key=key)
        replays = [action for action in queue if self.rng.random() < OFFLINE_REPLAY]
        self.rng.shuffle(replays)
        for row, amount, edit, key in replays:
            path, form, _ = self._set_form(workout, row, amount, edit=edit)
            answer = self.call("POST", path, form, **{"HX-Request": "true", KEY: key})
            self.tally.replays += 1
            if answer is not None and 200 <= answer.status < 300 and not answer.replayed:
                self.tally.replays_done_again += 1
                self.tally.note(f"POST {path} {form}: a replayed key was done again")
        return {row.key for row, _, _, _ in queue}

    def _set_form(self, workout: int, row: Row, amount: int, *, edit: bool):
        """The set's post: its path, its form, and the count the server stores."""
        form = {"step": row.step, "set_number": row.set_number, "side": row.side}
        form[row.field] = amount
        if edit:
            form["edit"] = "1"
        stored = amount * 60 if row.field == "minutes" else amount
        return f"/me/sessions/{workout}/sets/", form, stored

    def _log(self, workout: int, row: Row) -> None:
        if row.field == "minutes":
            amount = self.rng.randint(1, row.prefill + 2)
        else:
            amount = self.rng.randint(max(0, row.prefill - 5), row.prefill + 5)
        if self._post_set(workout, row, amount, edit=False) and self.rng.random() < EDIT:
            self._post_set(workout, row, amount + 1, edit=True)

    def _post_set(
        self, workout: int, row: Row, amount: int, *, edit: bool, key: str | None = None
    ) -> bool:
        path, form, stored = self._set_form(workout, row, amount, edit=edit)
        headers = {"HX-Request": "true", **({KEY: key} if key else {})}

        def record(acknowledged: bool) -> None:
            self.tally.posts.append(
                SetPost(workout, row.step, row.set_number, row.side, stored, acknowledged)
            )

        deadline = time.monotonic() + self.patience
        tries = 0
        if self.rng.random() < DROP:
            self.drop(path, form, **headers)
            record(False)
            tries += 1
            time.sleep(self.rng.uniform(0.3, 1.0))  # the phone gives up waiting
        while True:
            if tries:
                self.tally.retries += 1
            answer = self.call("POST", path, form, **headers)
            tries += 1
            ok = (
                answer is not None
                and 200 <= answer.status < 300
                and shows_logged(answer.text, row, amount)
            )
            record(ok)
            if ok:
                break
            if answer is not None and 200 <= answer.status < 300:
                self.tally.note(f"POST {path} {form}: answered without the set logged")
            if time.monotonic() > deadline:
                return False
            time.sleep(min(2.0, 0.25 * tries))
        if self.rng.random() < RESEND:
            self.tally.retries += 1
            answer = self.call("POST", path, form, **headers)
            record(
                answer is not None
                and 200 <= answer.status < 300
                and shows_logged(answer.text, row, amount)
            )
        return True


def sign_in_all(
    site: Site,
    count: int,
    *,
    seed: int,
    patience: float = 60,
    offline: float = 0,
    pause: float = 0,
) -> list[Member]:
    """Every member signed in, a few at a time (hashing passwords is the slow part)."""
    members = [
        Member(site, n, seed=seed, patience=patience, offline=offline, pause=pause)
        for n in range(1, count + 1)
    ]
    failures = []

    def sign_in(member):
        try:
            member.sign_in()
        except SystemExit as error:
            failures.append(str(error))

    threads = []
    for member in members:
        thread = threading.Thread(target=sign_in, args=(member,))
        thread.start()
        threads.append(thread)
        if len(threads) % 4 == 0:
            threads[-4].join()
    for thread in threads:
        thread.join()
    if failures:
        raise SystemExit("; ".join(failures[:3]))
    return members


def run_members(members: list[Member], seconds: float, stop: threading.Event | None = None):
    """Every member logging at once for ``seconds``; their tallies merged."""
    stop = stop or threading.Event()
    until = time.monotonic() + seconds
    threads = [
        threading.Thread(target=member.run, args=(until, stop), daemon=True) for member in members
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = Tally()
    for member in members:
        total.merge(member.tally)
    return total
