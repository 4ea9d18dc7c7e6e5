"""How a routine's steps are named in the guide, the logger and the admin.

Main steps are numbered in order; a pair that alternates set by set shares
one number (“2a” and “2b”); an alternative takes its step's number
(“1 alt.”), as Makana's routine writes them.
"""

from collections.abc import Iterable

from routines.models import Step


def step_labels(steps: Iterable[Step]) -> dict[int, str]:
    """Each saved step's label, by id, for ``steps`` in their order (a routine's
    steps with ``paired_with`` and ``paired_from`` loaded)."""
    steps = list(steps)
    labels: dict[int, str] = {}
    number = 0
    previous = None
    for step in steps:
        if step.alternative_to_id is not None:
            continue
        partner = step.partner
        if previous is not None and partner is not None and partner.pk == previous.pk:
            labels[previous.pk] = f"{number}a"
            labels[step.pk] = f"{number}b"
        else:
            number += 1
            labels[step.pk] = str(number)
        previous = step
    for step in steps:
        if step.alternative_to_id is not None and step.alternative_to_id in labels:
            labels[step.pk] = f"{labels[step.alternative_to_id]} alt."
    return labels
