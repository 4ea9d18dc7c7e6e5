"""The club's first routine, Makana's “Reversing Foot, Ankle, and Knee Pain”, as data.

``seed_ground_up_routine`` is idempotent: it creates what is missing and never
changes what a trainer has since edited. The data migration calls it with the
historical models, and tests call it after a database flush.

How long to pause at the top is the step's prescription (hold_seconds), so the
exercises' own instructions say "pause" or "squeeze" without a duration.
"""

from decimal import Decimal
from typing import Any

from django.apps import apps as global_apps

ROUTINE_SLUG = "reversing-foot-ankle-and-knee-pain"

INTRODUCTION = """\
Modern exercises, which are influenced by bodybuilding and powerlifting movements, often load \
the body top-down to increase maximum output or build physique. However, this style of exercise \
can often lead to foot, ankle, and knee pain, and it is difficult to appreciate how one looks or \
how heavy one can bench press when living with chronic pain.

So what's the solution? Focus on active-loading from the ground up to lengthen and strengthen \
the muscles that protect the ankles, knees, hips, and lower back.

Here's a workout to start your pain-free journey."""

DISCLAIMER = """\
Every exercise is intended to start from zero pain. If you have a pre-existing injury or begin \
to experience pain while performing these movements, please see a doctor."""

CLOSING_NOTE = """\
Progression on these movements happens slowly and may take 2–4 weeks to see a difference. \
We recommend trying this routine 2 times a week. Let us know what you think!

If you have any questions or need help with these exercises, contact Makana at \
makana@ballardhealthclub.com."""

# Backwards walking and the Deadmill share the stride: toe-to-heel, then longer.
STRIDE_KNOB = {
    "label": "Stride length",
    "unit": "level",
    "levels": "moderate, long",
    "start_level": "moderate",
    "harder": "higher",
    "easier_guidance": "Take moderate steps, shifting toe-to-heel.",
    "harder_guidance": "Take longer strides, bringing the toe behind the knee.",
}

EXERCISES = [
    {
        "slug": "backwards-walking",
        "name": "Backwards walking",
        "purpose": "Walking backwards is the best way to strengthen your feet while stimulating "
        "the muscles not engaged when moving forward.",
        "setup": "Give yourself room to walk backwards.",
        "execution": "Moving backwards, take moderate steps, shifting toe-to-heel from one foot "
        "to the other.\n"
        "Once comfortable, take longer strides, bringing the toe behind the knee to strengthen "
        "the knees.",
        "cues": "Toe first, then heel\nLonger strides: toe behind the knee",
        "equipment": [],
        "body_areas": ["feet", "knees"],
        "knobs": [STRIDE_KNOB],
    },
    {
        "slug": "deadmill",
        "name": "Deadmill",
        "purpose": "Backwards walking on a powered-off treadmill: pushing the belt backwards "
        "strengthens the feet and knees the same way.",
        "setup": "Stand on a treadmill that is powered off, with your back resting on the front "
        "panel or handles. Place a mat or pad on your back for comfort, if needed.",
        "execution": "Push the belt backwards with your feet.\n"
        "Apply the same toe-to-heel movement as in backwards walking.",
        "cues": "Toe first, then heel",
        "equipment": ["treadmill", "mat or pad"],
        "body_areas": ["feet", "knees"],
        "knobs": [STRIDE_KNOB],
    },
    {
        "slug": "tibialis-raise",
        "name": "Tibialis raise",
        "purpose": "The tibialis connects the top of the feet to the bottom of the kneecap and "
        "helps to decelerate the feet, but it is a muscle that rarely gets trained.",
        "setup": "Stand with your butt against a wall and tilt slightly forward to keep your "
        "shoulder blades off the wall. With both feet, step out about 12 inches.",
        "execution": "Use your shin muscles to raise your toes.",
        "cues": "Shoulder blades off the wall\nLift with your shins",
        "equipment": ["wall"],
        "body_areas": ["feet", "shins", "knees"],
        "knobs": [
            {
                "label": "Feet distance from wall",
                "unit": "in",
                "minimum": Decimal(2),
                "maximum": Decimal(36),
                "step": Decimal(1),
                "start_value": Decimal(12),
                "harder": "higher",
                "easier_guidance": "Decrease the distance of your feet from the wall.",
                "harder_guidance": "Increase the distance of your feet from the wall.",
            }
        ],
    },
    {
        "slug": "calf-raise",
        "name": "Calf raise",
        "purpose": "The calves (gastrocnemius and soleus) help the feet extend and push forward. "
        "These muscles connect the Achilles tendon to the lower back of the knee.",
        "setup": "Face a wall with both hands on it and your arms straight. Keeping your hips "
        "tucked in, take small steps backwards until you feel your heels begin to elevate and a "
        "slight stretch in your calves.",
        "execution": "Push your heels upward into a calf raise.",
        "cues": "Hips tucked in\nArms straight",
        "equipment": ["wall"],
        "body_areas": ["calves", "ankles", "knees"],
        "knobs": [
            {
                "label": "Feet distance from wall",
                "unit": "in",
                "minimum": Decimal(6),
                "maximum": Decimal(60),
                "step": Decimal(1),
                "start_description": "where your heels begin to lift",
                "harder": "higher",
                "easier_guidance": "Decrease the distance of your feet from the wall.",
                "harder_guidance": "Increase the distance of your feet from the wall.",
            }
        ],
    },
    {
        "slug": "patrick-step",
        "name": "Patrick step",
        "purpose": "The Patrick step strengthens the knee and increases mobility in the ankle "
        "and Achilles tendon.",
        "setup": "Start with your right hand on a wall to support your stance. Turn to face "
        "left, perpendicular to the wall. Stand on your left foot and raise your right leg off "
        "the ground 2–3 inches in front.",
        "execution": "Mimicking walking down the stairs, “step down” onto your right foot, "
        "bending at your left knee.\n"
        "Keep your left heel firmly on the floor.\n"
        "Straighten your left leg back to the starting position for each rep.\n"
        "For the other side, set up opposite: face right of the wall with your left leg up.",
        "cues": "Standing heel stays down\nLike walking down stairs",
        "equipment": ["wall"],
        "body_areas": ["knees", "ankles"],
        "knobs": [
            {
                "label": "Step reach",
                "unit": "in",
                "minimum": Decimal(1),
                "maximum": Decimal(24),
                "step": Decimal(1),
                "start_description": "close, the free leg 2–3 in off the ground just in front",
                "harder": "higher",
                "easier_guidance": "Bring your step closer.",
                "harder_guidance": "Reach your step further, leaning back slightly and keeping "
                "your upper body straight, in line with the stepping leg.",
            }
        ],
    },
    {
        "slug": "regressed-reverse-nordic",
        "name": "Regressed reverse Nordic",
        "purpose": "The reverse Nordic (a knee extension) activates and stretches the quadriceps "
        "muscles that protect the upper front kneecap. It also increases flexibility in those "
        "muscles and the shins.",
        "setup": "Start on your knees with your body upright. For band assistance, fasten a "
        "long-loop resistance band to a pull-up bar or a secured overhead bar, position yourself "
        "under the band and hold onto it.",
        "execution": "Slowly sit back until your butt is resting on your feet.\n"
        "Get back to the upright starting position by squeezing your glutes and flexing your "
        "hips until your body is perpendicular to the ground.",
        "cues": "Squeeze your glutes to come up\nMove slowly",
        "equipment": ["resistance band", "overhead bar"],
        "body_areas": ["quadriceps", "knees", "shins"],
        "knobs": [
            {
                "label": "Band assistance",
                "unit": "level",
                "levels": "none, light, medium, heavy",
                "start_level": "none",
                "harder": "lower",
                "easier_guidance": "Use a resistance band for assistance, with enough tension in "
                "your grip to assist your upright movement. A heavier band helps more.",
                "harder_guidance": "Use a lighter band, or none.",
            }
        ],
    },
    {
        "slug": "single-leg-hamstring-curl",
        "name": "Single-leg hamstring curl",
        "purpose": "The hamstring curl protects the upper back of the knee.",
        "setup": "On a lying or seated hamstring curl machine, apply a light weight (15 lb "
        "recommended) to start.",
        "execution": "Using one leg at a time, curl the weight.\n"
        "Squeeze and hold at the top of each rep.",
        "cues": "Focus on the squeeze",
        "equipment": ["hamstring curl machine"],
        "body_areas": ["hamstrings", "knees"],
        "knobs": [
            {
                "label": "Load",
                "unit": "lb",
                "minimum": Decimal(5),
                "maximum": Decimal(200),
                "step": Decimal(5),
                "start_value": Decimal(15),
                "harder": "higher",
                "easier_guidance": "Lower the weight.",
                "harder_guidance": "Add weight, one small step at a time.",
            }
        ],
    },
    {
        "slug": "standing-hamstring-curl",
        "name": "Standing hamstring curl with ankle weight",
        "purpose": "The at-home version of the hamstring curl: it protects the upper back of "
        "the knee.",
        "setup": "Strap an ankle weight on and stand tall. Ensure your hips and glutes are kept "
        "forward.",
        "execution": "Using one leg at a time, curl your heel up behind you.\n"
        "Squeeze and hold at the top of each rep.",
        "cues": "Hips and glutes forward",
        "equipment": ["ankle weight"],
        "body_areas": ["hamstrings", "knees"],
        "knobs": [
            {
                "label": "Ankle weight",
                "unit": "lb",
                "minimum": Decimal(1),
                "maximum": Decimal(25),
                "step": Decimal(1),
                "harder": "higher",
                "easier_guidance": "Use a lighter ankle weight.",
                "harder_guidance": "Use a heavier ankle weight.",
            }
        ],
    },
]

# Steps in order. "paired_with" names the order of the step whose sets alternate with
# this one's; "alternatives" are exercises a member may do instead, with their own numbers.
STEPS: list[dict[str, Any]] = [
    {
        "order": 1,
        "exercise": "backwards-walking",
        "sets": 1,
        "duration_seconds": 10 * 60,
        "notes": "Toe-to-heel, then longer strides.",
        "alternatives": [
            {
                "exercise": "deadmill",
                "sets": 1,
                "duration_seconds": 5 * 60,
                "notes": "On a powered-off treadmill.",
            }
        ],
    },
    {
        "order": 2,
        "exercise": "tibialis-raise",
        "sets": 2,
        "reps": 25,
        "hold_seconds": 1,
        "paired_with": 3,
    },
    {"order": 3, "exercise": "calf-raise", "sets": 2, "reps": 25, "hold_seconds": 1},
    {
        "order": 4,
        "exercise": "patrick-step",
        "sets": 2,
        "reps": 25,
        "per_side": True,
        "weaker_side_extra_sets": 1,
    },
    {"order": 5, "exercise": "regressed-reverse-nordic", "sets": 2, "reps": 25},
    {
        "order": 6,
        "exercise": "single-leg-hamstring-curl",
        "sets": 3,
        "reps": 15,
        "per_side": True,
        "hold_seconds": 1,
        "alternatives": [
            {
                "exercise": "standing-hamstring-curl",
                "sets": 3,
                "reps": 15,
                "per_side": True,
                "hold_seconds": 1,
                "notes": "At home, with an ankle weight.",
            }
        ],
    },
]


def seed_ground_up_routine(apps=global_apps):
    """Create the ground-up routine and its exercises where missing; return the routine."""
    Routine = apps.get_model("routines", "Routine")
    existing = Routine.objects.filter(slug=ROUTINE_SLUG).first()
    if existing:
        return existing
    exercises = {spec["slug"]: _exercise(apps, spec) for spec in EXERCISES}
    routine = Routine.objects.create(
        slug=ROUTINE_SLUG,
        title="Reversing Foot, Ankle, and Knee Pain",
        introduction=INTRODUCTION,
        disclaimer=DISCLAIMER,
        closing_note=CLOSING_NOTE,
        sessions_per_week=2,
        min_weeks=2,
        max_weeks=4,
        status="published",
    )
    Step = apps.get_model("routines", "Step")
    by_order = {}
    for spec in STEPS:
        spec = dict(spec)
        alternatives = spec.pop("alternatives", [])
        spec.pop("paired_with", None)
        step = Step.objects.create(
            routine=routine, **{**spec, "exercise": exercises[spec["exercise"]]}
        )
        by_order[step.order] = step
        for alternative in alternatives:
            Step.objects.create(
                routine=routine,
                order=step.order,
                alternative_to=step,
                **{**alternative, "exercise": exercises[alternative["exercise"]]},
            )
    for spec in STEPS:
        if "paired_with" in spec:
            step = by_order[spec["order"]]
            step.paired_with = by_order[spec["paired_with"]]
            step.save(update_fields=["paired_with"])
    # Migration 0002 seeds the routine before its check-in areas exist;
    # migration 0004 sets them then.
    if any(field.name == "check_in_areas" for field in Routine._meta.get_fields()):
        seed_check_in_areas(apps)
    return routine


# The routine's title names what its check-ins ask about.
CHECK_IN_AREAS = ["feet", "ankles", "knees"]


def seed_check_in_areas(apps=global_apps):
    """The ground-up routine's check-ins ask about the feet, ankles and knees."""
    Routine = apps.get_model("routines", "Routine")
    BodyArea = apps.get_model("routines", "BodyArea")
    routine = Routine.objects.filter(slug=ROUTINE_SLUG).first()
    if routine is not None and not routine.check_in_areas.exists():
        for name in CHECK_IN_AREAS:  # one at a time: they are asked in this order
            routine.check_in_areas.add(BodyArea.objects.get_or_create(name=name)[0])


def _exercise(apps, spec):
    Exercise = apps.get_model("routines", "Exercise")
    exercise = Exercise.objects.filter(slug=spec["slug"]).first()
    if exercise:
        return exercise
    Equipment = apps.get_model("routines", "Equipment")
    BodyArea = apps.get_model("routines", "BodyArea")
    Knob = apps.get_model("routines", "Knob")
    fields = {
        key: value
        for key, value in spec.items()
        if key not in {"equipment", "body_areas", "knobs"}
    }
    exercise = Exercise.objects.create(**fields)
    exercise.equipment.set(
        [Equipment.objects.get_or_create(name=name)[0] for name in spec["equipment"]]
    )
    exercise.body_areas.set(
        [BodyArea.objects.get_or_create(name=name)[0] for name in spec["body_areas"]]
    )
    for order, knob in enumerate(spec["knobs"]):
        Knob.objects.create(exercise=exercise, order=order, **knob)
    return exercise
