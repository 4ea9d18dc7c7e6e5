"""What the soak's members were told, tallied, and how it is held against
what the database stores: every acknowledged set must be there once, with
the count last acknowledged."""

import collections
import dataclasses
import re


@dataclasses.dataclass(frozen=True)
class SetPost:
    """One try at logging a set: which set, the count sent (reps, or seconds
    for a timed step) and whether the answer showed it logged."""

    workout: int
    step: int
    set_number: int
    side: str
    amount: int
    acknowledged: bool

    @property
    def key(self) -> tuple:
        return (self.workout, self.step, self.set_number, self.side)


@dataclasses.dataclass
class Comparison:
    acknowledged: int  # sets with at least one acknowledged post
    stored: int  # rows in the database for the workouts posted to
    missing: int  # acknowledged, not stored
    stale: int  # stored, but not with the count last acknowledged (nor one sent after it)
    doubled: int  # rows beyond the first for one set
    unsent: int  # rows for a set never posted

    @property
    def failures(self) -> int:
        return self.missing + self.stale + self.doubled + self.unsent

    def lost(self) -> list[tuple[str, int]]:
        """A report's rows for acknowledged sets lost, changed or doubled."""
        return [
            ("missing", self.missing),
            ("stored with another count", self.stale),
            ("doubled", self.doubled),
        ]


def compare(posts, stored) -> Comparison:
    """What the clients were told against what the database holds.

    ``posts`` are SetPosts in the order each member sent them; ``stored`` is
    (workout, step, set number, side, amount) per row. A set's count may be
    any sent in its last acknowledged post or after it (a later try whose answer
    was lost may still have been stored)."""
    by_key = collections.defaultdict(list)
    for post in posts:
        by_key[post.key].append(post)
    rows = collections.defaultdict(list)
    for workout, step, set_number, side, amount in stored:
        rows[(workout, step, set_number, side)].append(amount)
    acknowledged = missing = stale = 0
    for key, tries in by_key.items():
        last = max((i for i, post in enumerate(tries) if post.acknowledged), default=None)
        if last is None:
            continue
        acknowledged += 1
        if key not in rows:
            missing += 1
        elif not set(rows[key]) & {post.amount for post in tries[last:]}:
            stale += 1
    return Comparison(
        acknowledged=acknowledged,
        stored=sum(len(amounts) for amounts in rows.values()),
        missing=missing,
        stale=stale,
        doubled=sum(len(amounts) - 1 for amounts in rows.values()),
        unsent=sum(len(amounts) for key, amounts in rows.items() if key not in by_key),
    )


# A request's path, as the tap a member made: the first that matches.
TAPS = [
    (re.compile(r"POST /me/sessions/start/$"), "start a session"),
    (re.compile(r"GET /me/sessions/\d+/$"), "open the logger"),
    (re.compile(r"POST /me/sessions/\d+/pain-check/$"), "pain check"),
    (re.compile(r"POST /me/sessions/\d+/sets/$"), "log a set"),
    (re.compile(r"POST /me/sessions/\d+/steps/\d+/pain/$"), "pain during an exercise"),
    (re.compile(r"POST /me/sessions/\d+/finish/$"), "finish"),
]


def tap_of(method: str, path: str) -> str:
    request = f"{method} {path}"
    return next((name for pattern, name in TAPS if pattern.match(request)), "other")


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


@dataclasses.dataclass
class Tally:
    """One member's requests, or all of them merged."""

    requests: int = 0
    latencies: list = dataclasses.field(default_factory=list)
    # The same seconds by kind of tap (``tap_of``): what each one feels like.
    taps: collections.defaultdict = dataclasses.field(
        default_factory=lambda: collections.defaultdict(list)
    )
    statuses: collections.Counter = dataclasses.field(default_factory=collections.Counter)
    socket_errors: int = 0
    internals: int = 0  # 5xx answers that show a traceback, SQL or module names
    dropped: int = 0  # answers dropped on purpose, as a phone loses them
    retries: int = 0
    # The offline phones (soak --offline): sets logged with no signal, the
    # queue's replays (sent again, in another order), and replays the server
    # did again instead of answering from their key (must be 0).
    offline_sets: int = 0
    replays: int = 0
    replays_done_again: int = 0
    # (sent, answered, status) per request, 0 for a failed connection: the
    # drills' outage and recovery times.
    timeline: list = dataclasses.field(default_factory=list)
    # The first 5xx page and htmx answer, to show what members saw.
    samples: dict = dataclasses.field(default_factory=dict)
    posts: list = dataclasses.field(default_factory=list)
    workouts: set = dataclasses.field(default_factory=set)
    problems: list = dataclasses.field(default_factory=list)

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500) + self.socket_errors

    @property
    def refused(self) -> int:
        """4xx answers: none are expected from these members' own pages."""
        return sum(n for status, n in self.statuses.items() if 400 <= status < 500)

    def note(self, problem: str) -> None:
        if len(self.problems) < 5:
            self.problems.append(problem)

    def merge(self, other: "Tally") -> None:
        self.requests += other.requests
        self.latencies += other.latencies
        for tap, seconds in other.taps.items():
            self.taps[tap] += seconds
        self.statuses.update(other.statuses)
        for name in (
            "socket_errors",
            "internals",
            "dropped",
            "retries",
            "offline_sets",
            "replays",
            "replays_done_again",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.timeline += other.timeline
        for kind, text in other.samples.items():
            self.samples.setdefault(kind, text)
        self.posts += other.posts
        self.workouts |= other.workouts
        self.problems += other.problems[: max(0, 10 - len(self.problems))]
