"""What a block changed in daily life, from its first check-in to its last:
each area's pain and each activity, in numbers and in words, and a chart.

A change of 2 points or more on either 0-10 scale counts as clear. That is
the minimal clinically important difference commonly used for both:
- pain on a 0-10 numeric rating scale: Farrar JT, Young JP, LaMoreaux L,
  Werth JL, Poole RM. Clinical importance of changes in chronic pain
  intensity measured on an 11-point numerical pain rating scale. Pain.
  2001;94(2):149-158 (about 2 points, or 30 %);
- the Patient-Specific Functional Scale: Horn KK, Jennings S, Richardson G,
  et al. The Patient-Specific Functional Scale: psychometrics,
  clinimetrics, and application as a clinical outcome measure. J Orthop
  Sports Phys Ther. 2012;42(1):30-42 (2 points for the mean of the
  activities; a single activity's is reported higher, at 3, but one rule
  for every row is what members and trainers read here)."""

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from members.models import CheckIn

CLEAR_CHANGE = 2


@dataclass(frozen=True)
class Change:
    what: str  # "Feet, usual pain" or an activity's name
    first: float  # a member's answers are whole numbers; the club's medians may not be
    last: float
    lower_is_better: bool

    @property
    def better_by(self) -> float:
        """Points better (negative: worse), whichever way the scale runs."""
        return self.first - self.last if self.lower_is_better else self.last - self.first

    @property
    def clear(self) -> bool:
        return self.better_by >= CLEAR_CHANGE

    @property
    def clear_worse(self) -> bool:
        return self.better_by <= -CLEAR_CHANGE

    @property
    def words(self) -> str:
        better = self.better_by
        if better >= CLEAR_CHANGE:
            return "a clear improvement"
        if self.clear_worse:
            return "clearly worse"
        if better == 0:
            return "no change"
        return "a little better" if better > 0 else "a little worse"

    @property
    def text(self) -> str:
        return f"{self.what}: {self.first:g} → {self.last:g}, {self.words}"


@dataclass(frozen=True)
class BlockChange:
    first: CheckIn
    last: CheckIn
    changes: list[Change]

    @property
    def summary(self) -> str:
        """ "3 of 8 clearly better, 1 clearly worse": the change at a glance."""
        better = sum(change.clear for change in self.changes)
        worse = sum(change.clear_worse for change in self.changes)
        if not better and not worse:
            return "no clear change yet"
        parts = [f"{better} of {len(self.changes)} measures clearly better"] if better else []
        if worse:
            parts.append(f"{worse} clearly worse")
        return ", ".join(parts)

    @property
    def chart(self) -> SafeString:
        return change_chart(self.changes, chart_id=f"change-{self.last.assignment_id}")


def block_change(check_ins: list[CheckIn]) -> BlockChange | None:
    """From the block's first check-in to its last (with their ``areas`` and
    ``scores__activity`` loaded); None until there are two."""
    if len(check_ins) < 2:
        return None
    first, last = check_ins[0], check_ins[-1]
    last_areas = {area.area: area for area in last.areas.all()}
    changes = []
    for area in first.areas.all():
        later = last_areas.get(area.area)
        if later is None:
            continue
        name = area.area.capitalize()
        changes.append(Change(f"{name}, worst pain", area.worst, later.worst, True))
        changes.append(Change(f"{name}, usual pain", area.usual, later.usual, True))
    last_scores = {score.activity_id: score.score for score in last.scores.all()}
    for score in first.scores.all():
        if score.activity_id in last_scores:
            name = score.activity.name or "An activity"
            changes.append(Change(name, score.score, last_scores[score.activity_id], False))
    return BlockChange(first, last, changes)


# The chart: one row a measure, on a 0-10 axis, a line from the first answer
# to the last ending in a dot. Drawn with presentation attributes only (the
# CSP forbids style attributes), beside a table of the same numbers.
WIDTH, ROW, TOP, LEFT, RIGHT = 320, 38, 8, 12, 12
LABEL_LENGTH = 38


def change_chart(changes: list[Change], *, chart_id: str) -> SafeString:
    if not changes:
        return SafeString("")
    inner = WIDTH - LEFT - RIGHT
    height = TOP + ROW * len(changes) + 22

    def x(value: float) -> str:
        return f"{LEFT + inner * value / 10:.1f}"

    rows = []
    for index, change in enumerate(changes):
        top = TOP + ROW * index
        label = change.what
        if len(label) > LABEL_LENGTH:  # the table beside it has the whole name
            label = label[: LABEL_LENGTH - 1] + "…"
        colour = "#0b5d4b" if change.better_by >= 0 else "#a4161a"
        rows.append(
            (
                LEFT,
                top + 13,
                label,
                x(change.first),
                top + 26,
                x(change.last),
                top + 26,
                colour,
                x(change.first),
                top + 26,
                x(change.last),
                top + 26,
                colour,
            )
        )
    return format_html(
        '<svg class="chart change-chart" viewBox="0 0 {w} {h}" role="img" '
        'aria-labelledby="{id}-title {id}-desc">'
        '<title id="{id}-title">From the first check-in to the last</title>'
        '<desc id="{id}-desc">{desc}</desc>{rows}'
        '<text x="{left}" y="{axis}" font-size="11" fill="#3b4742">0</text>'
        '<text x="{right}" y="{axis}" font-size="11" text-anchor="end" fill="#3b4742">10</text>'
        "</svg>",
        w=WIDTH,
        h=height,
        id=chart_id,
        desc="; ".join(change.text for change in changes),
        rows=format_html_join(
            "",
            '<text x="{}" y="{}" font-size="13" fill="#17201c">{}</text>'
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="3"/>'
            '<circle cx="{}" cy="{}" r="3.5" fill="#ffffff" stroke="#6b7570" stroke-width="2"/>'
            '<circle cx="{}" cy="{}" r="5" fill="{}"/>',
            rows,
        ),
        left=LEFT,
        right=WIDTH - RIGHT,
        axis=height - 6,
    )
