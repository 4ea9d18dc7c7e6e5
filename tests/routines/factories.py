import factory

from routines.models import Exercise, Knob, Routine, Step


class ExerciseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exercise

    name = factory.Sequence(lambda n: f"Exercise {n}")
    slug = factory.Sequence(lambda n: f"exercise-{n}")
    purpose = "Protects the knees."
    setup = "Stand tall."
    execution = "Move slowly.\nBreathe."


class KnobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Knob

    exercise = factory.SubFactory(ExerciseFactory)
    label = "Distance"
    unit = Knob.Unit.INCH
    easier_guidance = "Closer."
    harder_guidance = "Farther."


class RoutineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Routine

    title = factory.Sequence(lambda n: f"Routine {n}")
    slug = factory.Sequence(lambda n: f"routine-{n}")
    introduction = "Start slowly."
    disclaimer = "Start from zero pain."
    status = Routine.Status.PUBLISHED


class StepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Step

    routine = factory.SubFactory(RoutineFactory)
    exercise = factory.SubFactory(ExerciseFactory)
    order = factory.Sequence(lambda n: n + 1)
    sets = 2
    reps = 10
