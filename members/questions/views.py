"""Questions: the contact form, the member's Questions page and the trainer's inbox."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from members.models import EmailDelivery, Question, Workout
from members.questions import services as questions
from members.questions.forms import AnswerForm, QuestionForm, ReplyForm
from members.questions.services import (
    QUESTIONS_PER_ADDRESS_PER_HOUR,
    QUESTIONS_PER_HOUR,
    sender_summary,
)
from members.web.decorators import positive_int, trainer_required
from members.web.ratelimit import Limit, client_address, give_back, take, tripped, window_ends
from members.web.requests import AuthenticatedHttpRequest, HtmxHttpRequest
from routines.models import Exercise

RATE_SCOPE = "contact"
# A member's replies, each emailed to their trainer: a conversation, not a flood.
REPLY_SCOPE = "reply"
REPLIES_PER_HOUR = 20
HOUR = 3600
SENT_KEY = "question_sent"


def _limits(request: HtmxHttpRequest) -> list[Limit]:
    """Each member has their own hourly count, and so does each visitor's
    address; members at the club share its address, so that count only
    stops a flood."""
    address = client_address(request)
    own = (
        Limit(f"user:{request.user.pk}", QUESTIONS_PER_HOUR)
        if request.user.is_authenticated
        else Limit(f"visitor:{address}", QUESTIONS_PER_HOUR)
    )
    return [own, Limit(f"ip:{address}", QUESTIONS_PER_ADDRESS_PER_HOUR)]


def _limit_message(limit: Limit) -> str:
    again = f"{window_ends(HOUR):%-I:%M %p}"
    if limit.who.startswith("ip:"):
        return (
            "Many questions came from your network this hour, the most the form "
            f"takes. Your question is kept below: send it after {again}."
        )
    return (
        f"You have sent {limit.limit} questions this hour, the most the form takes. "
        f"Your question is kept below: send it after {again}."
    )


def _topic(request: HtmxHttpRequest):
    """The exercise or the member's own session the form was opened from; a
    session that is not theirs is a 404."""
    source = request.POST if request.method == "POST" else request.GET
    exercise = workout = None
    if exercise_id := positive_int(source.get("exercise")):
        exercise = get_object_or_404(Exercise, pk=exercise_id)
    if (workout_id := positive_int(source.get("workout"))) and request.user.is_authenticated:
        workout = get_object_or_404(Workout.objects.for_member(request.user), pk=workout_id)
    return exercise, workout


def contact(request: HtmxHttpRequest) -> HttpResponse:
    """Ask the trainers. The question is stored in this request; the emails
    about it are sent by the task worker."""
    exercise, workout = _topic(request)
    user = request.user if request.user.is_authenticated else None
    form = QuestionForm(
        request.POST if request.method == "POST" else None,
        user=user,
        exercise=exercise,
        workout=workout,
    )
    status = 200
    limited = None
    if request.method == "POST":
        limits = _limits(request)
        valid = form.is_valid()
        if valid and (
            already := questions.sent_with_form(
                form.cleaned_data["token"], member=user, email=form.sender()[1]
            )
        ):
            # The same form again (a double tap, a retry): the first post's
            # answer, which used the limit already.
            return _sent(request, already)
        if limit := tripped(RATE_SCOPE, limits, period=HOUR):
            limited = _limit_message(limit)
            status = 429
        elif not valid:
            status = 422
        elif limit := take(RATE_SCOPE, limits, period=HOUR):
            # Posts at the same moment took what was left of the limit.
            limited = _limit_message(limit)
            status = 429
        else:
            name, email = form.sender()
            if form.is_spam():
                request.session[SENT_KEY] = {"answerer": "the club's trainers", "email": email}
                return redirect("contact_sent")
            question, stored = questions.ask_once(
                member=user,
                name=name,
                email=email,
                subject=form.cleaned_data["subject"],
                message=form.cleaned_data["message"],
                exercise=form.cleaned_data.get("exercise"),
                workout=form.topic_workout(workout),
                token=form.cleaned_data["token"],
            )
            if not stored:
                # A post at the same moment stored it: this one used nothing.
                give_back(RATE_SCOPE, limits, period=HOUR)
            return _sent(request, question)
    return render(
        request,
        "members/contact.html",
        {
            "form": form,
            "exercise": exercise,
            "workout": workout,
            "answerer": questions.trainer_for(user),
            "limited": limited,
            "active_nav": "contact",
        },
        status=status,
    )


def _sent(request: HtmxHttpRequest, question: Question) -> HttpResponse:
    request.session[SENT_KEY] = {
        "answerer": question.answerer,
        "email": question.email,
        "member": question.member_id is not None,
    }
    return redirect("contact_sent")


def contact_sent(request: HtmxHttpRequest) -> HttpResponse:
    sent = request.session.get(SENT_KEY)
    if sent is None:
        return redirect("contact")
    return render(request, "members/contact_sent.html", {"sent": sent})


def _render_my_questions(
    request: AuthenticatedHttpRequest, *, form: ReplyForm | None = None, status: int = 200
) -> tuple[HttpResponse, list[Question]]:
    asked = list(
        Question.objects.for_member(request.user)
        .select_related("trainer__profile", "answered_by__profile", "exercise", "workout")
        .prefetch_related("deliveries")
        .with_messages()
        .latest_first()
    )
    for question in asked:
        question.reply_form = (
            form if form is not None and form.question.pk == question.pk else None
        ) or ReplyForm(question=question)
    response = render(
        request,
        "members/questions.html",
        {"questions": asked, "active_nav": "questions"},
        status=status,
    )
    return response, asked


@login_required
def my_questions(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The member's conversations with their trainer, the one written in
    last first."""
    response, shown = _render_my_questions(request)
    # Shown with their "New reply" markers: from now on, read.
    questions.read_by_member(shown)
    return response


@login_required
def reply(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The member writes back in one of their conversations; another
    member's is a 404. Opened as a page (the address a refused reply left in
    the bar), it is that conversation."""
    question = get_object_or_404(Question.objects.for_member(request.user), pk=pk)
    if request.method != "POST":
        return redirect(reverse("members:questions") + f"#question-{question.pk}")
    form = ReplyForm(request.POST, question=question)
    if not form.is_valid():
        response, _ = _render_my_questions(request, form=form, status=422)
        return response
    limit = [Limit(f"user:{request.user.pk}", REPLIES_PER_HOUR)]
    if take(REPLY_SCOPE, limit, period=HOUR):
        again = f"{window_ends(HOUR):%-I:%M %p}"
        form.add_error(
            "text",
            f"You have sent {REPLIES_PER_HOUR} replies this hour, the most it takes. "
            f"Your reply is kept here: send it after {again}.",
        )
        response, _ = _render_my_questions(request, form=form, status=429)
        return response
    if questions.member_reply(
        question=question, member=request.user, text=form.cleaned_data["text"]
    ):
        messages.success(request, f"Reply sent to {question.answerer}.")
    else:
        give_back(REPLY_SCOPE, limit, period=HOUR)
    return redirect(reverse("members:questions") + f"#question-{question.pk}")


# The trainer's inbox.

INBOX_SHOWS = {
    "waiting": "Waiting for an answer",
    "answered": "Answered",
    "closed": "Closed",
    "all": "All",
}


def _questions_for_trainer(request: AuthenticatedHttpRequest):
    return Question.objects.for_trainer(request.user)


def _get_question_for_trainer(request: AuthenticatedHttpRequest, pk: int) -> Question:
    return get_object_or_404(
        _questions_for_trainer(request)
        .select_related(
            "member__profile", "trainer__profile", "answered_by__profile", "exercise", "workout"
        )
        .with_messages(),
        pk=pk,
    )


@trainer_required
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    show = request.GET.get("show", "waiting")
    if show not in INBOX_SHOWS:
        show = "waiting"
    mine = _questions_for_trainer(request)
    counts = mine.aggregate(
        waiting=Count("pk", filter=Q(status=Question.Status.NEW)),
        answered=Count("pk", filter=Q(status=Question.Status.ANSWERED)),
        closed=Count("pk", filter=Q(status=Question.Status.CLOSED)),
        all=Count("pk"),
    )
    listed = (
        mine.select_related("member__profile", "trainer__profile", "exercise", "workout")
        .with_latest_from_member()
        .prefetch_related(
            Prefetch("deliveries", queryset=EmailDelivery.objects.filter(kind="question"))
        )
    )
    if show != "all":
        status = {"waiting": "new", "answered": "answered", "closed": "closed"}[show]
        listed = listed.filter(status=status)
    # Waiting ones with the longest wait (since the member last wrote) at the top.
    listed = listed.order_by("member_wrote_at") if show == "waiting" else listed
    return render(
        request,
        "members/trainer/inbox.html",
        {
            "questions": listed,
            "show": show,
            "shows": [(key, label, counts[key]) for key, label in INBOX_SHOWS.items()],
            "active_nav": "questions",
        },
    )


def render_question(
    request: AuthenticatedHttpRequest, question: Question, *, form=None, status: int = 200
) -> HttpResponse:
    replying = bool(question.answer or question.replies.all())
    return render(
        request,
        "members/trainer/question.html",
        {
            "question": question,
            "summary": sender_summary(question),
            "deliveries": question.deliveries.order_by("created_at"),
            "form": form or AnswerForm(replying=replying),
            "replying": replying,
            "active_nav": "questions",
        },
        status=status,
    )


@trainer_required
def question_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    question = _get_question_for_trainer(request, pk)
    response = render_question(request, question)
    questions.read_by_trainer(question)
    return response


def _back_to(question: Question) -> HttpResponse:
    """To the answer section, where the message about what happened is."""
    return redirect(reverse("trainer:question", args=[question.pk]) + "#answer")


@trainer_required
@require_POST
def answer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    question = _get_question_for_trainer(request, pk)
    replying = bool(question.answer or question.replies.all())
    form = AnswerForm(request.POST, replying=replying)
    if not form.is_valid():
        return render_question(request, question, form=form, status=422)
    what = "Reply sent" if replying else "Answer saved"
    if questions.answer(question=question, trainer=request.user, text=form.cleaned_data["text"]):
        messages.success(request, f"{what}. It is on its way to {question.name} by email.")
    else:
        messages.info(request, "That was sent already; nothing more was sent.")
    # Where what was just sent shows, the newest turn of the conversation.
    return redirect(reverse("trainer:question", args=[question.pk]) + "#latest-turn")


def _change(request: AuthenticatedHttpRequest, pk: int, change, said: str) -> HttpResponse:
    """Apply a status change; a retried post changes nothing and says nothing."""
    question = _get_question_for_trainer(request, pk)
    if change(question):
        messages.success(request, said)
    return _back_to(question)


@trainer_required
@require_POST
def mark_answered(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _change(
        request,
        pk,
        lambda question: questions.mark_answered(question=question, trainer=request.user),
        "Marked as answered.",
    )


@trainer_required
@require_POST
def close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _change(
        request,
        pk,
        lambda question: questions.close(question=question),
        "Closed. It stays in the inbox under Closed.",
    )


@trainer_required
@require_POST
def reopen(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _change(
        request,
        pk,
        lambda question: questions.reopen(question=question),
        "Reopened: it is waiting for an answer again.",
    )
