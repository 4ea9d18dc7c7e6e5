"""The contact form and the trainer's answer."""

import uuid
from typing import cast

from django import forms
from django.utils.html import format_html

from members.models import Assignment, Question, User, Workout
from members.web.text import one_line
from routines.limits import REPLY_LENGTH
from routines.models import Exercise

SESSIONS_OFFERED = 10


class QuestionForm(forms.Form):
    """A question for the trainers. A signed-in member's name and address come
    from their account; a visitor types them."""

    name = forms.CharField(
        label="Your name",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Tell us your name."},
    )
    email = forms.EmailField(
        label="Your email address",
        max_length=254,
        help_text="The answer goes here.",
        error_messages={"required": "Give an email address for the answer."},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    about = forms.ChoiceField(label="About", required=False)
    subject = forms.CharField(
        label="Subject",
        min_length=3,
        max_length=120,
        error_messages={
            "required": "Give your question a subject.",
            "min_length": "Make the subject a few words long.",
        },
    )
    message = forms.CharField(
        label="Your question",
        min_length=10,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Up to 3,000 characters. Say what you did and what you felt.",
        error_messages={
            "required": "Write your question.",
            "min_length": "Tell a little more: at least 10 characters.",
            "max_length": "Keep it under 3,000 characters (it has %(show_value)d).",
        },
    )
    # Hidden from people by CSS; form-filling bots fill it in.
    website = forms.CharField(
        label="Leave this empty",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": -1, "autocomplete": "off"}),
    )
    token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, user: User | None = None, exercise=None, workout=None, **kwargs):
        self.user = user if user is not None and user.is_authenticated else None
        initial = kwargs.pop("initial", {}) or {}
        initial.setdefault("token", uuid.uuid4())
        if exercise is not None:
            initial.setdefault("about", f"exercise-{exercise.pk}")
            # The name as the trainer wrote it: lowering it loses "Nordic".
            initial.setdefault("subject", f"About {exercise.name}")
        elif workout is not None:
            initial.setdefault("about", f"workout-{workout.pk}")
            initial.setdefault("subject", f"About my session on {workout.date:%A, %B %-d}")
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        if self.user is not None:
            del self.fields["name"]
            del self.fields["email"]
            self._exercises, self._workouts = self._topics(exercise, workout)
            groups = [
                ("Exercises", [(f"exercise-{e.pk}", e.name) for e in self._exercises]),
                (
                    "Your sessions",
                    [(f"workout-{w.pk}", _session_label(w)) for w in self._workouts],
                ),
            ]
            cast(forms.ChoiceField, self.fields["about"]).choices = [
                ("", "Nothing in particular"),
                *[(group, options) for group, options in groups if options],
            ]
        else:
            del self.fields["about"]

    def _topics(self, exercise, workout):
        """The exercises of the member's routine (or every exercise, between
        blocks) and their last sessions; the one the form was opened from is
        always among them."""
        block = Assignment.objects.current().filter(member=self.user).first()
        in_routine = Exercise.objects.order_by("name")
        if block is not None:
            in_routine = in_routine.filter(steps__routine_id=block.routine_id).distinct()
        exercises = list(in_routine)
        if exercise is not None and exercise not in exercises:
            exercises.append(exercise)
        workouts = list(
            Workout.objects.summaries()
            .for_member(self.user)
            .select_related("planned_session")
            .order_by("-started_at")[:SESSIONS_OFFERED]
        )
        if workout is not None and workout not in workouts:
            workouts.append(workout)
        return exercises, workouts

    def clean_name(self):
        name = one_line(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError("Tell us your name.")
        return name

    def clean_subject(self):
        subject = one_line(self.cleaned_data["subject"])
        if len(subject) < 3:
            raise forms.ValidationError("Make the subject a few words long.")
        return subject

    def clean_message(self):
        message = self.cleaned_data["message"].strip()
        if len(message) < 10:
            raise forms.ValidationError("Tell a little more: at least 10 characters.")
        return message

    def clean_about(self):
        value = self.cleaned_data.get("about") or ""
        self.cleaned_data["exercise"] = next(
            (e for e in getattr(self, "_exercises", []) if value == f"exercise-{e.pk}"), None
        )
        self.cleaned_data["workout"] = next(
            (w for w in getattr(self, "_workouts", []) if value == f"workout-{w.pk}"), None
        )
        return value

    def topic_workout(self, opened_from):
        """The session it is about: the one chosen, or, asked about an
        exercise from a card in the logger, the session the card was in."""
        if self.cleaned_data.get("workout"):
            return self.cleaned_data["workout"]
        return opened_from if self.cleaned_data.get("exercise") else None

    def is_spam(self) -> bool:
        """The honeypot was filled in: answer as if sent, send nothing."""
        return bool(self.cleaned_data.get("website"))

    def sender(self) -> tuple[str, str]:
        if self.user is not None:
            return self.user.display_name, self.user.email
        return self.cleaned_data["name"], self.cleaned_data["email"]


def _session_label(workout: Workout) -> str:
    what = (
        f"Session {workout.planned_session.number}" if workout.planned_session else "Extra session"
    )
    return f"{what} · {workout.date:%a, %b %-d}"


class AnswerForm(forms.Form):
    """A trainer's turn: the first answer, or a reply after it."""

    prefix = "answer"

    text = forms.CharField(
        label="Your answer",
        max_length=REPLY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Emailed to the sender, and shown on their Questions page.",
        error_messages={
            "required": "Write an answer, or mark it answered if you replied by email."
        },
    )

    def __init__(self, *args, replying: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.replying = replying
        if replying:
            self.fields["text"].label = "Your reply"
            self.fields["text"].error_messages["required"] = "Write your reply first."

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError(
                "Write your reply first." if self.replying else "Write an answer."
            )
        return text


class ReplyForm(forms.Form):
    """The member's turn in a conversation with their trainer."""

    text = forms.CharField(
        label="Your reply",
        max_length=REPLY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Write your reply first.",
            "max_length": "Keep it under %(limit_value)d characters; this is %(show_value)d.",
        },
    )

    def __init__(self, data=None, *, question: Question):
        # One form per conversation on the page: its fields' ids say which.
        super().__init__(data, prefix="reply", auto_id=f"id_q{question.pk}_%s")
        self.question = question
        # Forms render help text as HTML: the name in it is escaped here.
        self.fields["text"].help_text = format_html(
            "Emailed to {}, and kept here.", question.answerer
        )

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError("Write your reply first.")
        return text
