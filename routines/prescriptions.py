"""Prescriptions in plain words, written in one place for every page and email."""


def describe_duration(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    parts = []
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    if rest:
        parts.append(f"{rest} second{'s' if rest != 1 else ''}")
    return " ".join(parts)


def describe_prescription(
    *,
    sets: int,
    reps: int | None,
    duration_seconds: int | None,
    per_side: bool = False,
    weaker_side_extra_sets: int = 0,
    hold_seconds: int = 0,
    rest_seconds: int | None = None,
    alternating_with: str = "",
) -> str:
    """“2 sets of 25 per side, alternating sides, plus 1 extra set on your weaker or
    stiffer side, pausing 1 second at the top of each rep”."""
    amount = describe_duration(duration_seconds) if duration_seconds else f"{reps}"
    if sets == 1:
        main = amount if duration_seconds else f"1 set of {amount}"
    else:
        main = f"{sets} sets of {amount}"
    parts = [main + (" per side" if per_side else "")]
    if per_side:
        parts.append("alternating sides")
    if weaker_side_extra_sets:
        plural = "s" if weaker_side_extra_sets != 1 else ""
        parts.append(
            f"plus {weaker_side_extra_sets} extra set{plural} on your weaker or stiffer side"
        )
    if hold_seconds:
        plural = "s" if hold_seconds != 1 else ""
        parts.append(f"pausing {hold_seconds} second{plural} at the top of each rep")
    if alternating_with:
        parts.append(f"alternating set by set with {alternating_with}")
    if rest_seconds:
        parts.append(f"resting {describe_duration(rest_seconds)} between sets")
    return ", ".join(parts)
