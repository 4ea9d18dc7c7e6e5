"""Exercises, their difficulty knobs, and routines made of ordered steps.

A routine says everything its trainer's document says, as structured data: the
member guide, the logger and the trainer pages all read it from here.
"""

from routines.models.exercises import BodyArea, Equipment, Exercise, Knob
from routines.models.routines import Routine, RoutineQuerySet, Step

__all__ = ["BodyArea", "Equipment", "Exercise", "Knob", "Routine", "RoutineQuerySet", "Step"]
