"""
The public questionnaire: start page, one page per step, check your answers, results.

Every step is a plain form POST, so the journey works without JavaScript: a valid answer is
stored and the browser is redirected to the next page. With htmx (hx-boost on <main>), a request
that carries the HX-Request header is answered with only the swappable region, the "region"
partial of each template; a valid answer is answered at once with the next page's region and
its address in HX-Push-Url, so the address bar always shows the real page.

Answers live only in the session (a signed cookie): ``request.session["answers"]``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import push_url

from triage import questionnaire
from triage.forms import StepForm
from triage.questionnaire import Journey
from triage.results import result_context
from triage.selectors import ContentSnapshot, TopicInfo, get_content

ANSWERS = "answers"
# The content version the answers were last pruned against (questionnaire.prune). While it is
# still the current one, the answers read back are already pruned: done again, nothing changes.
PRUNED_FOR = "pruned_for"


def _answers(request: HttpRequest) -> dict:
    answers = request.session.get(ANSWERS)
    return dict(answers) if isinstance(answers, dict) else {}


def _journey(request: HttpRequest, snapshot: ContentSnapshot) -> Journey:
    """The person's answers, pruned against ``snapshot`` unless that is done already."""
    answers = _answers(request)
    if answers and request.session.get(PRUNED_FOR) == snapshot.token:
        return Journey(snapshot, answers)
    return Journey.of(snapshot, answers)


def _save(request: HttpRequest, snapshot: ContentSnapshot, answers: dict) -> Journey:
    journey = Journey.of(snapshot, answers)
    request.session[ANSWERS] = journey.answers
    request.session[PRUNED_FOR] = snapshot.token
    return journey


def _render(request: HttpRequest, template_name: str, context: dict) -> HttpResponse:
    """The whole page, or only its swappable region for an htmx request."""
    partial = bool(request.htmx) and not request.htmx.history_restore_request
    name = f"{template_name}#region" if partial else template_name
    return render(request, name, {**context, "partial": partial})


# Where a journey goes: a page's address, and the page as it is shown to a journey that is there.


class Destination(Protocol):
    @property
    def url(self) -> str: ...

    def show(self, request: HttpRequest, journey: Journey) -> HttpResponse: ...


def _step_url(topic: TopicInfo, *, changing: bool = False) -> str:
    url = reverse("triage:step", args=[topic.slug])
    return f"{url}?change=1" if changing else url


@dataclass(frozen=True)
class StepPage:
    topic: TopicInfo
    changing: bool = False

    @property
    def url(self) -> str:
        return _step_url(self.topic, changing=self.changing)

    def show(self, request: HttpRequest, journey: Journey) -> HttpResponse:
        return _show_step(request, journey, self.topic, changing=self.changing)


@dataclass(frozen=True)
class NamedPage:
    """A page with an address of its own: check your answers, or the results."""

    view_name: str
    show: Callable[[HttpRequest, Journey], HttpResponse]

    @property
    def url(self) -> str:
        return reverse(self.view_name)


def _resume(journey: Journey) -> Destination:
    """Where someone goes when they open a page whose answers they have not given yet."""
    if journey.is_emergency:
        return RESULT
    first = journey.first_unanswered_step()
    if first is None:
        return CHECK_ANSWERS
    return StepPage(first)


def _go_on(request: HttpRequest, journey: Journey, destination: Destination) -> HttpResponse:
    """After a valid answer: the next page's region for htmx, else a redirect to it."""
    if request.htmx:
        return push_url(destination.show(request, journey), destination.url)
    return redirect(destination.url)


# The pages.


@require_safe
@vary_on_headers("HX-Request")
def start(request: HttpRequest) -> HttpResponse:
    return _show_start(request)


def _show_start(request: HttpRequest) -> HttpResponse:
    snapshot = get_content()
    has_answers = bool(_answers(request))
    response = _render(
        request,
        "triage/start.html",
        {
            "page_title": _("Check why your calves are sore"),
            "start_url": _step_url(snapshot.topics[0]) if snapshot.topics else "",
            "has_answers": has_answers,
        },
    )
    if has_answers:
        # The page says that there are answers from earlier.
        add_never_cache_headers(response)
    return response


def _misplaced(journey: Journey, topic: TopicInfo) -> Destination | None:
    """Where to go instead of ``topic`` when the journey is not at it; None when it is."""
    if not journey.is_reachable(topic):
        return _resume(journey)
    if not journey.applicable_questions(topic):
        # This step does not apply to these answers: go on as if it had been answered.
        following = journey.next_step(topic)
        return _resume(journey) if following is None else StepPage(following)
    if not journey.is_answered(topic) and journey.is_emergency:
        # The questionnaire has already ended: nobody in an emergency is asked more.
        return RESULT
    return None


def _after_answer(journey: Journey, topic: TopicInfo, *, changing: bool) -> Destination:
    """Where a valid answer on ``topic`` leads."""
    if journey.is_emergency:
        return RESULT
    pending = journey.first_unanswered_step()
    if changing:
        # Follow-up questions that now apply are asked, then back to check your answers.
        return CHECK_ANSWERS if pending is None else StepPage(pending, changing=True)
    if pending is not None and not journey.is_answered(topic):
        # An answer on this page brought a follow-up question on the same page.
        return StepPage(topic)
    following = journey.next_step(topic)
    return CHECK_ANSWERS if following is None else StepPage(following)


@never_cache
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD", "POST"])
def step(request: HttpRequest, slug: str) -> HttpResponse:
    snapshot = get_content()
    topic = questionnaire.get_step(snapshot, slug)
    if topic is None:
        raise Http404(_("There is no such question page."))
    journey = _journey(request, snapshot)
    changing = request.GET.get("change") == "1"
    if request.method != "POST":
        return _show_step(request, journey, topic, changing=changing)

    elsewhere = _misplaced(journey, topic)
    if elsewhere is not None:
        return redirect(elsewhere.url)
    form = _posted_form(request, journey, topic, changing=changing)
    if not form.is_valid():
        return _step_page(request, journey, topic, form, changing=changing)
    journey = _save(request, snapshot, journey.answers | form.answers())
    return _go_on(request, journey, _after_answer(journey, topic, changing=changing))


def _posted_form(
    request: HttpRequest, journey: Journey, topic: TopicInfo, *, changing: bool
) -> StepForm:
    """
    The step's form with the posted answers. A question shown on this page that an answer on
    the same page makes irrelevant (statin changed to no drops "statin started recently") is no
    longer asked. Only a question with a condition can stop applying.
    """
    questions = journey.applicable_questions(topic)
    action = _step_url(topic, changing=changing)
    form = StepForm(request.POST, topic=topic, questions=questions, action=action)
    if any(question.ask_when is not None for question in questions):
        posted = journey.answers | form.valid_alone()
        applicable = [question for question in questions if question.applies(posted)]
        if len(applicable) != len(questions):
            form = StepForm(request.POST, topic=topic, questions=applicable, action=action)
    return form


def _show_step(
    request: HttpRequest, journey: Journey, topic: TopicInfo, *, changing: bool
) -> HttpResponse:
    """The step with the person's earlier answers in its fields, if the journey is at it."""
    elsewhere = _misplaced(journey, topic)
    if elsewhere is not None:
        return redirect(elsewhere.url)
    questions = journey.applicable_questions(topic)
    initial = StepForm.initial_from(
        questions, journey.answers, checklist=topic.kind == questionnaire.CHECKLIST
    )
    form = StepForm(
        topic=topic,
        questions=questions,
        initial=initial,
        action=_step_url(topic, changing=changing),
    )
    return _step_page(request, journey, topic, form, changing=changing)


def _step_page(
    request: HttpRequest, journey: Journey, topic: TopicInfo, form: StepForm, *, changing: bool
) -> HttpResponse:
    return _render(
        request, "triage/step.html", step_context(journey, topic, form, changing=changing)
    )


def step_context(journey: Journey, topic: TopicInfo, form: StepForm, *, changing: bool) -> dict:
    """What a question page shows (also the admin's preview of the draft)."""
    steps = journey.progress.active
    position = next((i for i, t in enumerate(steps) if t.slug == topic.slug), 0)
    if changing:
        back_url = reverse("triage:check_answers")
    else:
        previous = journey.previous_step(topic)
        back_url = _step_url(previous) if previous else reverse("triage:start")
    # Some questions here are answered and some not: an answer here brought a follow-up.
    answered_here = [question.fact in journey.answers for question in form.questions]
    follow_up = any(answered_here) and not all(answered_here) and not form.errors
    title = topic.title
    if form.errors:
        title = _("Error: %(title)s") % {"title": title}
    return {
        "page_title": title,
        "topic": topic,
        "form": form,
        "back_url": back_url,
        "step_number": position + 1,
        "step_count": len(steps),
        "follow_up": follow_up,
    }


@never_cache
@vary_on_headers("HX-Request")
@require_safe
def check_answers(request: HttpRequest) -> HttpResponse:
    return _show_check_answers(request, _journey(request, get_content()))


def _show_check_answers(request: HttpRequest, journey: Journey) -> HttpResponse:
    if journey.first_unanswered_step() is not None:
        return redirect(_resume(journey).url)
    if journey.is_emergency:
        return redirect("triage:result")
    return _render(
        request,
        "triage/check_answers.html",
        {"page_title": _("Check your answers"), "sections": journey.answered_steps()},
    )


@never_cache
@vary_on_headers("HX-Request")
@require_safe
def result(request: HttpRequest) -> HttpResponse:
    # Every answer is checked against the content again before the result is worked out.
    return _show_result(request, Journey.of(get_content(), _answers(request)))


def _show_result(request: HttpRequest, journey: Journey) -> HttpResponse:
    if not journey.assessment.is_emergency and journey.first_unanswered_step() is not None:
        return redirect(_resume(journey).url)
    return _render(
        request,
        "triage/result.html",
        {"page_title": _("Your results"), **result_context(journey)},
    )


@never_cache
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD", "POST"])
def start_again(request: HttpRequest) -> HttpResponse:
    """POST clears every answer; GET only shows the button (a link must not delete anything)."""
    if request.method == "POST":
        request.session.flush()
        if request.htmx:
            return push_url(_show_start(request), reverse("triage:start"))
        return redirect("triage:start")
    return _render(request, "triage/start_again.html", {"page_title": _("Start again")})


CHECK_ANSWERS = NamedPage("triage:check_answers", _show_check_answers)
RESULT = NamedPage("triage:result", _show_result)
