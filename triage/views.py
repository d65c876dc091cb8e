"""
The public questionnaire: start page, one page per step, check your answers, results.

Every step is a plain form POST, so the journey works without JavaScript: a valid answer is
stored and the browser is redirected to the next page. With htmx (hx-boost on <main>), a request
that carries the HX-Request header is answered with only the swappable region, the "region"
partial of each template; a valid answer is answered at once with the next page's region and
its address in HX-Push-Url, so the address bar always shows the real page.

Answers live only in the session (an encrypted cookie): ``request.session["answers"]``. A
session that has gone (its cookie expired or cannot be read) is said so on a page of its own,
never silently restarted.

A follow-up question whose condition is on an answer of the same page is drawn under the
choice that brings it, revealed in place by the page script; without JavaScript its inputs are
never sent, and it is asked on a page of its own (``?more=1``) after the page that brings it.
Whichever way, the server decides: a follow-up's answer is kept only when its condition holds
for the answers posted with it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import push_url

from triage import questionnaire
from triage.criteria import NOT_SURE
from triage.forms import REVEALED_FIELD, StepForm, form_value
from triage.questionnaire import Journey
from triage.results import result_context
from triage.selectors import ContentSnapshot, QuestionInfo, TopicInfo, get_content

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


def _step_url(topic: TopicInfo, *, changing: bool = False, more: bool = False) -> str:
    url = reverse("triage:step", args=[topic.slug])
    flags = [name for name, on in (("change", changing), ("more", more)) if on]
    return url + ("?" + "&".join(f"{name}=1" for name in flags) if flags else "")


@dataclass(frozen=True)
class StepPage:
    topic: TopicInfo
    changing: bool = False
    # Only the questions of the step still to answer: follow-ups that answers brought.
    more: bool = False

    @property
    def url(self) -> str:
        return _step_url(self.topic, changing=self.changing, more=self.more)

    def show(self, request: HttpRequest, journey: Journey) -> HttpResponse:
        return _show_step(request, journey, self.topic, changing=self.changing, more=self.more)


def _ask(journey: Journey, topic: TopicInfo, *, changing: bool = False) -> StepPage:
    """The step to answer: on a page of their own, the questions left on a step half answered."""
    asked = journey.applicable_questions(topic)
    started = any(q.fact in journey.answers for q in asked)
    return StepPage(topic, changing=changing, more=started and not journey.is_answered(topic))


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
    return _ask(journey, first)


def _go_on(request: HttpRequest, journey: Journey | None, destination: Destination) -> HttpResponse:
    """After a valid answer: the next page's region for htmx, else a redirect to it."""
    if request.htmx:
        return push_url(destination.show(request, journey), destination.url)
    return redirect(destination.url)


def _session_ended(
    request: HttpRequest, snapshot: ContentSnapshot, topic: TopicInfo | None = None
) -> bool:
    """
    Whether this request comes from the middle of a journey whose session has gone: its cookie
    has expired (SESSION_COOKIE_AGE after the last answer) or cannot be read, or an answer is
    posted with no session at all (the browser was closed). The first step starts a journey,
    so it never says so. The unreadable cookie is deleted.
    """
    if topic is not None and snapshot.topics and topic.slug == snapshot.topics[0].slug:
        return False
    if request.COOKIES.get(settings.SESSION_COOKIE_NAME):
        # A cookie that cannot be read is an empty session (calfsite.sessions).
        if request.session.items():
            return False
        request.session.flush()
        return True
    return request.method == "POST"


def _duration(seconds: int) -> str:
    """SESSION_COOKIE_AGE in words: "2 hours", "90 minutes"."""
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    minutes = max(1, seconds // 60)
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


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
        return CHECK_ANSWERS if pending is None else _ask(journey, pending, changing=True)
    if pending is not None and not journey.is_answered(topic):
        # An answer on this page brought a follow-up question not answered with it.
        return _ask(journey, topic)
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
    if _session_ended(request, snapshot, topic):
        return _go_on(request, None, SESSION_ENDED)
    journey = _journey(request, snapshot)
    changing = request.GET.get("change") == "1"
    more = request.GET.get("more") == "1"
    if request.method != "POST":
        return _show_step(request, journey, topic, changing=changing, more=more)

    elsewhere = _misplaced(journey, topic)
    if elsewhere is not None:
        return redirect(elsewhere.url)
    page = _questions_for(journey, topic, more=more)
    form = _posted_form(request, journey, topic, page, changing=changing, more=more)
    if not form.is_valid():
        return _step_page(request, journey, topic, form, changing=changing, more=more)
    journey = _save(request, snapshot, journey.answers | form.answers())
    return _go_on(request, journey, _after_answer(journey, topic, changing=changing))


@dataclass(frozen=True)
class PageQuestions:
    """The questions a step page shows, and the follow-ups revealed under a choice."""

    questions: list[QuestionInfo]
    # trigger fact -> the form value of its choice -> the follow-up facts revealed under it
    reveals: dict[str, dict[str, list[str]]]

    @property
    def follow_ups(self) -> frozenset[str]:
        return frozenset(
            f for values in self.reveals.values() for fs in values.values() for f in fs
        )


def _values(question: QuestionInfo) -> list[object]:
    """Every answer a question can be given, as stored."""
    if question.kind == "boolean":
        return [True, False, NOT_SURE] if question.allow_not_sure else [True, False]
    if question.kind == "choice":
        return [choice.value for choice in question.choices]
    return []  # a whole number reveals nothing


def _questions_for(journey: Journey, topic: TopicInfo, *, more: bool = False) -> PageQuestions:
    """
    The questions of the step as its page shows them. A question whose condition one choice of
    one other question of this page decides (statin: yes asks when the statin was started) is a
    follow-up revealed under that choice, so it is there, hidden, before the choice is made.
    One whose condition needs two answers of this page, or that several choices bring, is
    asked on a page of its own once it applies. ``more``: only the questions left to answer.
    """
    asked = journey.applicable_questions(topic)
    if more:
        return PageQuestions([q for q in asked if q.fact not in journey.answers], {})
    if topic.kind == questionnaire.CHECKLIST or topic.unconditional:
        return PageQuestions(asked, {})
    answers = journey.answers
    relevant = journey.relevant
    here = {q.fact for q in topic.questions}
    # The answers from other pages: what this page's answers are added to.
    base = {fact: value for fact, value in answers.items() if fact not in here}
    # An item of a tick-all-that-apply list neither reveals a follow-up nor is revealed: its
    # follow-ups, and a grouped follow-up itself, are asked once they apply.
    triggers = [q for q in asked if q.ask_when is None and not q.group]
    reveals: dict[str, dict[str, list[str]]] = {}
    for question in topic.questions:
        if question.ask_when is None or question.group or question.ask_when(base)[0] is True:
            continue
        if not (relevant is None or question.fact in relevant or question.fact in answers):
            continue
        deciding = []
        for trigger in triggers:
            values = _values(trigger)
            bring = [v for v in values if question.applies(base | {trigger.fact: v})]
            if bring and len(bring) < len(values):
                deciding.append((trigger, bring))
        if len(deciding) == 1 and len(deciding[0][1]) == 1:
            trigger, (value,) = deciding[0]
            reveals.setdefault(trigger.fact, {}).setdefault(form_value(trigger, value), []).append(
                question.fact
            )
    nested = {f for values in reveals.values() for fs in values.values() for f in fs}
    questions = [q for q in topic.questions if q in asked or q.fact in nested]
    return PageQuestions(questions, reveals)


def _posted_form(
    request: HttpRequest,
    journey: Journey,
    topic: TopicInfo,
    page: PageQuestions,
    *,
    changing: bool,
    more: bool,
) -> StepForm:
    """
    The step's form with the posted answers. Only the questions that apply to the answers
    posted with them are asked: "statin: no" drops "statin started recently" even if it was
    answered. A follow-up under a choice is asked when it was shown (its container posts
    "revealed") or answered; one that applies but was not shown waits for a page of its own.
    """
    form = StepForm(
        request.POST,
        topic=topic,
        questions=page.questions,
        reveals=page.reveals,
        action=_step_url(topic, changing=changing, more=more),
    )
    if topic.kind == questionnaire.CHECKLIST:
        return form
    posted = journey.answers | form.valid_alone()
    shown = set(request.POST.getlist(REVEALED_FIELD))
    follow_ups = page.follow_ups
    applying = [q.fact for q in page.questions if q.applies(posted)]
    form.ask(
        [f for f in applying if f not in follow_ups or f in shown or f in request.POST],
        opened=applying,
    )
    return form


def _show_step(
    request: HttpRequest, journey: Journey, topic: TopicInfo, *, changing: bool, more: bool = False
) -> HttpResponse:
    """The step with the person's earlier answers in its fields, if the journey is at it."""
    elsewhere = _misplaced(journey, topic)
    if elsewhere is not None:
        return redirect(elsewhere.url)
    if more and journey.is_answered(topic):
        # Nothing is left to answer here: the whole page.
        return redirect(_step_url(topic, changing=changing))
    page = _questions_for(journey, topic, more=more)
    form = StepForm(
        topic=topic,
        questions=page.questions,
        reveals=page.reveals,
        opened=[q.fact for q in page.questions if q.applies(journey.answers)],
        earlier=journey.answers,
        action=_step_url(topic, changing=changing, more=more),
    )
    return _step_page(request, journey, topic, form, changing=changing, more=more)


def _step_page(
    request: HttpRequest,
    journey: Journey,
    topic: TopicInfo,
    form: StepForm,
    *,
    changing: bool,
    more: bool = False,
) -> HttpResponse:
    return _render(
        request,
        "triage/step.html",
        step_context(journey, topic, form, changing=changing, more=more),
    )


def step_context(
    journey: Journey, topic: TopicInfo, form: StepForm, *, changing: bool, more: bool = False
) -> dict:
    """What a question page shows (also the admin's preview of the draft)."""
    steps = journey.progress.active
    position = next((i for i, t in enumerate(steps) if t.slug == topic.slug), 0)
    if more:
        # The follow-ups' own page comes after the whole page that brought them.
        back_url = _step_url(topic, changing=changing)
    elif changing:
        back_url = reverse("triage:check_answers")
    else:
        previous = journey.previous_step(topic)
        back_url = _step_url(previous) if previous else reverse("triage:start")
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
        "more": more,
        "more_count": len(form.top_level),
    }


@never_cache
@vary_on_headers("HX-Request")
@require_safe
def check_answers(request: HttpRequest) -> HttpResponse:
    snapshot = get_content()
    if _session_ended(request, snapshot):
        return _go_on(request, None, SESSION_ENDED)
    return _show_check_answers(request, _journey(request, snapshot))


def _show_check_answers(request: HttpRequest, journey: Journey) -> HttpResponse:
    if journey.first_unanswered_step() is not None:
        return redirect(_resume(journey).url)
    if journey.is_emergency:
        return redirect("triage:result")
    return _render(request, "triage/check_answers.html", check_answers_context(journey))


@dataclass(frozen=True, slots=True)
class SummaryRow:
    label: str
    answer: str
    change_url: str
    change_words: str  # after "Change", for screen readers: "Change how bad the pain is"


def _change_words(label: str) -> str:
    """A short label as it reads after "Change": "How it started" as "how it started"."""
    if len(label) > 1 and label[1].isupper():
        return label  # an abbreviation: "DVT before"
    return label[:1].lower() + label[1:]


def check_answers_context(journey: Journey) -> dict:
    """
    Check your answers: first the answers that matter most to the result (those behind a red
    flag, then those for or against the likeliest causes), then the others, page by page.
    Every row has its own Change link, back to its page, which then returns here.
    """
    rank = {fact: position for position, fact in enumerate(journey.facts_that_matter())}
    first: list[tuple[int, SummaryRow]] = []
    sections = []
    for answered in journey.answered_steps():
        url = _step_url(answered.topic, changing=True)
        rows = []
        for row in answered.rows:
            words = _change_words(row.label)
            if not row.fact:
                words = _("your answer to ‘%(question)s’") % {"question": row.label}
            summary = SummaryRow(row.label, row.answer, url, words)
            if row.fact in rank:
                first.append((rank[row.fact], summary))
            else:
                rows.append(summary)
        if rows:
            sections.append((answered.topic.title, rows))
    steps = journey.progress.active
    return {
        "page_title": _("Check your answers"),
        "back_url": _step_url(steps[-1]) if steps else reverse("triage:start"),
        "mattering": [row for _position, row in sorted(first, key=lambda item: item[0])],
        "sections": sections,
    }


@never_cache
@vary_on_headers("HX-Request")
@require_safe
def result(request: HttpRequest) -> HttpResponse:
    snapshot = get_content()
    if _session_ended(request, snapshot):
        return _go_on(request, None, SESSION_ENDED)
    # Every answer is checked against the content again before the result is worked out.
    return _show_result(request, Journey.of(snapshot, _answers(request)))


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
        return _go_on(request, None, ANSWERS_DELETED)
    return _render(request, "triage/start_again.html", {"page_title": _("Start again")})


def _first_step_url() -> str:
    topics = get_content().topics
    return _step_url(topics[0]) if topics else reverse("triage:start")


@never_cache
@vary_on_headers("HX-Request")
@require_safe
def answers_deleted(request: HttpRequest) -> HttpResponse:
    """After "Start again": the answers are gone."""
    return _show_answers_deleted(request)


def _show_answers_deleted(request: HttpRequest, journey: Journey | None = None) -> HttpResponse:
    return _answers_gone(
        request, "triage/answers_deleted.html", _("Your answers have been deleted")
    )


@never_cache
@vary_on_headers("HX-Request")
@require_safe
def session_ended(request: HttpRequest) -> HttpResponse:
    """Where a journey whose session has gone is sent, rather than silently starting again."""
    return _show_session_ended(request)


def _show_session_ended(request: HttpRequest, journey: Journey | None = None) -> HttpResponse:
    return _answers_gone(
        request,
        "triage/session_ended.html",
        _("Your answers were not kept"),
        kept_for=_duration(settings.SESSION_COOKIE_AGE),
    )


def _answers_gone(request: HttpRequest, template_name: str, title: str, **context) -> HttpResponse:
    """A page saying the answers are gone, with a button to start again."""
    if _answers(request):
        # There are answers: this page would not be true.
        return redirect("triage:start")
    return _render(
        request,
        template_name,
        {"page_title": title, "start_url": _first_step_url(), **context},
    )


CHECK_ANSWERS = NamedPage("triage:check_answers", _show_check_answers)
RESULT = NamedPage("triage:result", _show_result)
ANSWERS_DELETED = NamedPage("triage:answers_deleted", _show_answers_deleted)
SESSION_ENDED = NamedPage("triage:session_ended", _show_session_ended)
