"""
The public questionnaire: start page, one page per step, check your answers, results.

Every step is a plain form POST followed by a redirect, so the journey works without
JavaScript. With htmx (hx-boost on <main>), the same views answer a request that carries the
HX-Request header with only the swappable region, the "region" partial of each template; htmx
follows the redirect and pushes the final URL, so the address bar always shows the real page.

Answers live only in the session (a signed cookie): ``request.session["answers"]``.
"""

import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache, wraps

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.formats import date_format
from django.utils.http import http_date
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe
from django.views.decorators.vary import vary_on_headers

from triage import pages, questionnaire
from triage.forms import StepForm
from triage.html import answer_rows, esc, flag_items, list_items, summary_list
from triage.questionnaire import Journey
from triage.rules import BANDS, LESS_LIKELY, MORE_LIKELY, POSSIBLE
from triage.selectors import ContentSnapshot, TopicInfo, get_content

ANSWERS = "answers"
# The content version the answers were last pruned against (questionnaire.prune). While it is
# still the current one, the answers read back are already pruned: done again, nothing changes.
PRUNED_FOR = "pruned_for"

BAND_TITLES = {
    MORE_LIKELY: gettext_lazy("More likely"),
    POSSIBLE: gettext_lazy("Possible"),
    LESS_LIKELY: gettext_lazy("Less likely"),
}


# What Django's never_cache gives a response without caching headers of its own.
NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"


def personal_page(view):
    """
    ``never_cache`` and ``vary_on_headers("HX-Request")`` in one, for pages made from the
    person's answers: never stored by a browser or proxy, and the htmx region and the whole page
    never mixed up. A response with no caching or Vary header yet gets exactly the headers the
    two Django decorators give it, set at once: they parse and rebuild each header, which cost
    more than the rest of a kept question page's own work.
    """

    @wraps(view)
    def personal(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        headers = response.headers
        if "Cache-Control" in headers or "Vary" in headers or "Expires" in headers:
            add_never_cache_headers(response)
            patch_vary_headers(response, ("HX-Request",))
        else:
            headers["Vary"] = "HX-Request"
            headers["Expires"] = _http_date(int(time.time()))
            headers["Cache-Control"] = NEVER_CACHE
        return response

    return personal


@lru_cache(maxsize=2)
def _http_date(second: int) -> str:
    """``http_date()`` for the current second, formatted once for every page in that second."""
    return http_date(second)


def _answers(request: HttpRequest) -> dict:
    answers = request.session.get(ANSWERS)
    return dict(answers) if isinstance(answers, dict) else {}


def _journey(request: HttpRequest, snapshot: ContentSnapshot) -> Journey:
    """The person's answers, pruned against ``snapshot`` unless that is done already."""
    answers = _answers(request)
    if answers and request.session.get(PRUNED_FOR) == snapshot.token:
        return Journey(snapshot, answers)
    return Journey.of(snapshot, answers)


def _is_partial(request: HttpRequest) -> bool:
    """
    An htmx request answered with the swappable region only: ``request.htmx`` and not
    ``request.htmx.history_restore_request``, read from META as django-htmx does, without
    building ``request.headers`` (a dict of every header) on every page.
    """
    meta = request.META
    return (
        meta.get("HTTP_HX_REQUEST") == "true"
        and meta.get("HTTP_HX_HISTORY_RESTORE_REQUEST") != "true"
    )


def _render(
    request: HttpRequest,
    template: str,
    context: dict | Callable[[], dict],
    *,
    status: int = 200,
    kept: tuple[ContentSnapshot, Hashable] | None = None,
    parts: pages.Parts | None = None,
) -> HttpResponse:
    """
    The whole page, or only its swappable region for an htmx request (``triage.pages``).
    ``kept``: (snapshot, key) for a page that holds nothing of the person, kept rendered under
    ``key``; ``context`` may be a function, called only when the page must be rendered.
    ``parts``: what the page shows of the person, kept as slots and built per request.
    """
    partial = _is_partial(request)

    def full_context() -> dict:
        return {**(context() if callable(context) else context), "partial": partial}

    return pages.render_page(
        request, template, full_context, partial=partial, kept=kept, parts=parts, status=status
    )


def _url(name: str, *args: str) -> str:
    """``reverse(name, args=args)``, worked out once per process and URL configuration."""
    return _reverse(name, args, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@lru_cache(maxsize=1024)
def _reverse(name: str, args: tuple[str, ...], prefix: str, urlconf: str) -> str:
    # ``prefix`` only keys the cache: reverse() reads the same script prefix itself.
    return reverse(name, args=args, urlconf=urlconf)


def _go(name: str, *args: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(_url(name, *args))


def _step_url(topic: TopicInfo, *, changing: bool = False) -> str:
    url = _url("triage:step", topic.slug)
    return f"{url}?change=1" if changing else url


def _resume(journey: Journey) -> HttpResponseRedirect:
    """Where someone goes when they open a page whose answers they have not given yet."""
    if journey.is_emergency:
        return _go("triage:result")
    first = journey.first_unanswered_step()
    if first is None:
        return _go("triage:check_answers")
    return HttpResponseRedirect(_step_url(first))


@require_safe
@vary_on_headers("HX-Request")
def start(request: HttpRequest) -> HttpResponse:
    snapshot = get_content()
    first = snapshot.topics[0] if snapshot.topics else None
    start_url = _step_url(first) if first else ""
    has_answers = bool(_answers(request))
    return _render(
        request,
        "triage/start.html",
        {
            "page_title": _("Check why your calves are sore"),
            "start_url": start_url,
            "has_answers": has_answers,
        },
        kept=(snapshot, (start_url, has_answers)),
    )


@personal_page
@require_http_methods(["GET", "HEAD", "POST"])
def step(request: HttpRequest, slug: str) -> HttpResponse:
    snapshot = get_content()
    topic = questionnaire.get_step(snapshot, slug)
    if topic is None:
        raise Http404(_("There is no such question page."))
    journey = _journey(request, snapshot)
    answers = journey.answers
    changing = request.GET.get("change") == "1"

    if not journey.is_reachable(topic):
        return _resume(journey)
    questions = questionnaire.applicable_questions(topic, answers)
    if not questions:
        # This step does not apply to these answers: go on as if it had been answered.
        following = journey.next_step(topic)
        if following is None:
            return _resume(journey)
        return HttpResponseRedirect(_step_url(following))
    if not questionnaire.is_answered(topic, answers) and journey.is_emergency:
        # The questionnaire has already ended: nobody in an emergency is asked more.
        return _go("triage:result")

    checklist = topic.kind == questionnaire.CHECKLIST
    if request.method == "POST":
        # A question shown on this page that an answer on the same page makes irrelevant
        # (statin changed to no drops "statin started recently") is no longer required. Only a
        # question with a condition can stop applying.
        form = StepForm(request.POST, topic=topic, questions=questions)
        if any(question.ask_when is not None for question in questions):
            posted = form.valid_alone()
            applicable = [q for q in questions if q.applies(answers | posted)]
            if len(applicable) != len(questions):
                questions = applicable
                form = StepForm(request.POST, topic=topic, questions=questions)
        if form.is_valid():
            journey = Journey.of(snapshot, answers | form.answers())
            answers = journey.answers
            request.session[ANSWERS] = answers
            request.session[PRUNED_FOR] = snapshot.token
            if journey.is_emergency:
                return _go("triage:result")
            pending = journey.first_unanswered_step()
            if changing:
                # Follow-up questions that now apply are asked, then back to check answers.
                if pending is None:
                    return _go("triage:check_answers")
                return HttpResponseRedirect(_step_url(pending, changing=True))
            if pending is not None and not questionnaire.is_answered(topic, answers):
                # An answer on this page brought a follow-up question on the same page.
                return HttpResponseRedirect(_step_url(topic))
            following = journey.next_step(topic)
            if following is None:
                return _go("triage:check_answers")
            return HttpResponseRedirect(_step_url(following))
    else:
        form = None
        initial = StepForm.initial_from(questions, answers, checklist=checklist)

    steps = journey.progress.active
    position = next((i for i, t in enumerate(steps) if t.slug == topic.slug), 0)
    if changing:
        back_url = _url("triage:check_answers")
    else:
        previous = journey.previous_step(topic)
        back_url = _step_url(previous) if previous else _url("triage:start")
    action = _step_url(topic, changing=changing)

    # Some questions here are answered and some not: an answer here brought a follow-up.
    answered_here = [q.fact in answers for q in questions]
    follow_up = any(answered_here) and not all(answered_here)
    own_fields = None
    if form is None and initial:
        # The person's earlier answers are in the fields: the page is kept with a slot for each
        # field, and the fields, with their answers, are built for this request only.
        form = StepForm(topic=topic, questions=questions, initial=initial)
        own_fields = form.field_views()

    def context() -> dict:
        nonlocal form
        if form is None:
            form = StepForm(topic=topic, questions=questions, initial=initial)
        fields = own_fields if own_fields is not None else form.field_views()
        title = topic.title
        if form.errors:
            title = _("Error: %(title)s") % {"title": title}
        return {
            "page_title": title,
            "topic": topic,
            "fields": fields,
            "errors": [field for field in fields if field.errors],
            "action": action,
            "back_url": back_url,
            "step_number": position + 1,
            "step_count": len(steps),
            "checklist": checklist,
            "follow_up": follow_up and not form.errors,
        }

    kept = None
    if request.method != "POST":
        # No error on this page, and no answer of the person's except in the field slots: the
        # same page for everyone who reaches this step by the same path, kept rendered.
        questions_asked = tuple(question.fact for question in questions)
        kept = (
            snapshot,
            (
                topic.slug,
                questions_asked,
                action,
                back_url,
                position,
                len(steps),
                follow_up,
                own_fields is not None,  # fields as slots, or rendered in the kept page
            ),
        )
    parts = None if own_fields is None else {"fields": own_fields}
    return _render(request, "triage/step.html", context, kept=kept, parts=parts)


@personal_page
@require_safe
def check_answers(request: HttpRequest) -> HttpResponse:
    snapshot = get_content()
    journey = _journey(request, snapshot)
    if journey.first_unanswered_step() is not None:
        return _resume(journey)
    if journey.is_emergency:
        return _go("triage:result")
    sections = [
        (section, _step_url(section.topic, changing=True)) for section in journey.answered_steps()
    ]
    # The page is the same for everyone but for the list of answers: kept, with a slot for it.
    summary = pages.Built(summary_list(sections))
    return _render(
        request,
        "triage/check_answers.html",
        {"page_title": _("Check your answers"), "summary": summary},
        kept=(snapshot, "check answers"),
        parts={"summary": summary},
    )


@dataclass(frozen=True, slots=True)
class FlagView:
    title: str
    urgency: str
    action: str
    because: tuple[tuple[str, str], ...]  # (question short label, the person's answer)


@dataclass(frozen=True, slots=True)
class CauseView:
    cause: object  # CauseInfo
    band: str
    supporting: tuple[str, ...]
    opposing: tuple[str, ...]


def result_context(journey: Journey) -> dict:
    """What the results page shows, all of it taken from the journey's assessment."""
    snapshot, answers, assessment = journey.snapshot, journey.answers, journey.assessment

    def answered(facts) -> tuple[tuple[str, str], ...]:
        rows = []
        for fact in facts:
            question = snapshot.questions.get(fact)
            if question is not None and fact in answers:
                rows.append(
                    (question.short_label, questionnaire.display_answer(question, answers[fact]))
                )
        return tuple(rows)

    flags = [
        FlagView(
            title=flag.title,
            urgency=flag.urgency,
            action=(
                snapshot.red_flags[flag.slug].action
                if flag.slug in snapshot.red_flags
                else flag.action
            ),
            because=answered(flag.because),
        )
        for flag in assessment.red_flags
    ]
    bands = []
    for band in BANDS:
        causes = [
            CauseView(
                cause=snapshot.causes[ranked.slug],
                band=band,
                supporting=tuple(reason.statement for reason in ranked.supporting),
                opposing=tuple(reason.statement for reason in ranked.opposing),
            )
            for ranked in assessment.causes
            if ranked.band == band and ranked.slug in snapshot.causes
        ]
        if causes:
            bands.append((band, BAND_TITLES[band], causes))
    raised_by = [
        snapshot.causes[slug].title
        for slug in assessment.urgency_from_causes
        if slug in snapshot.causes
    ]
    return {
        "assessment": assessment,
        "flags": flags,
        "bands": bands,
        "raised_by": raised_by,
        "answered_steps": journey.answered_steps(),
    }


def cause_block(snapshot: ContentSnapshot, item: CauseView) -> SafeString:
    """A cause's block (cause.html), kept for each cause, with the statements that fit."""
    parts: pages.Parts = {"supporting": pages.Built(list_items(item.supporting))}
    if item.opposing:
        parts["opposing"] = pages.Built(list_items(item.opposing))
    key = (item.cause.slug, bool(item.opposing))
    context = {"cause": item.cause, "opposing": None}
    return pages.fragment(snapshot, "triage/cause.html", key, context, parts)


def _cause_blocks(snapshot: ContentSnapshot, bands) -> SafeString:
    """Each band's heading, then the block of each of its causes."""
    blocks = []
    for band, title, causes in bands:
        blocks.append(f'<h3 class="band-heading band-heading--{esc(band)}">{esc(title)}</h3>')
        blocks.extend(cause_block(snapshot, item) for item in causes)
    return mark_safe("\n".join(blocks))  # noqa: S308 (escaped above, or built safe)


# The parts a results page may show; those it has not are None.
RESULT_PARTS = dict.fromkeys(
    ("printed_at", "flags", "raised_by", "safety_net", "causes", "answer_table", "answer_list")
)


def result_parts(snapshot: ContentSnapshot, shown: dict) -> pages.Parts:
    """
    What the results page shows of the person (``shown``: result_context), as markup built for
    this request; each part only when there is something to show.
    """
    assessment = shown["assessment"]
    now = datetime.now(tz=timezone.get_current_timezone() if settings.USE_TZ else None)
    parts: pages.Parts = {"printed_at": pages.Built(esc(date_format(now, "j F Y, H:i")))}
    if shown["flags"]:
        parts["flags"] = pages.Built(flag_items(shown["flags"]))
    if shown["raised_by"]:
        parts["raised_by"] = pages.Built(mark_safe(", ".join(map(esc, shown["raised_by"]))))  # noqa: S308
    if assessment.safety_net:
        parts["safety_net"] = pages.Built(list_items(assessment.safety_net))
    if shown["bands"]:
        parts["causes"] = pages.Built(_cause_blocks(snapshot, shown["bands"]))
    parts["answer_table"] = pages.Built(answer_rows(shown["answered_steps"], "table"))
    parts["answer_list"] = pages.Built(answer_rows(shown["answered_steps"], "list"))
    return parts


@personal_page
@require_safe
def result(request: HttpRequest) -> HttpResponse:
    snapshot = get_content()
    # Every answer is checked against the content again before the result is worked out.
    journey = Journey.of(snapshot, _answers(request))
    assessment = journey.assessment
    if not assessment.is_emergency and journey.first_unanswered_step() is not None:
        return _resume(journey)
    parts = result_parts(snapshot, result_context(journey))
    # Besides its parts, the page says only the urgency: kept for each urgency and set of parts.
    return _render(
        request,
        "triage/result.html",
        {"page_title": _("Your results"), "urgency": assessment.urgency, **RESULT_PARTS, **parts},
        kept=(snapshot, (assessment.urgency, tuple(parts))),
        parts=parts,
    )


@personal_page
@require_http_methods(["GET", "HEAD", "POST"])
def start_again(request: HttpRequest) -> HttpResponse:
    """POST clears every answer; GET only shows the button (a link must not delete anything)."""
    if request.method == "POST":
        request.session.flush()
        return _go("triage:start")
    return _render(request, "triage/start_again.html", {"page_title": _("Start again")})
