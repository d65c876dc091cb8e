"""
What the results page and its printout show, built from a journey's assessment: the red flags
with the answers behind them, "If it gets worse" by urgency, the causes in bands, what helps,
and the answers sorted for a doctor who reads them in a minute.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from triage import questionnaire, relevance, rules
from triage.criteria import NOT_SURE
from triage.questionnaire import Journey
from triage.rules import (
    BANDS,
    EMERGENCY,
    LESS_LIKELY,
    MORE_LIKELY,
    POSSIBLE,
    SELF_CARE,
    SOON,
    URGENCY_RANK,
    URGENT,
)
from triage.selectors import CauseInfo, QuestionInfo

BAND_TITLES = {
    MORE_LIKELY: gettext_lazy("More likely"),
    POSSIBLE: gettext_lazy("Possible"),
    LESS_LIKELY: gettext_lazy("Less likely"),
}
# The causes whose "what helps" the page shows under "What you can do now", most likely first.
SELF_CARE_CAUSES = 3


@dataclass(frozen=True, slots=True)
class FlagView:
    title: str
    urgency: str
    advice: str  # its action, after the words of its urgency that the care card gives itself
    why: str  # why it matters
    because: tuple[tuple[str, str], ...]  # (question short label, the person's answer)
    doubt: str = ""  # "You were not sure whether ..., so to be safe ..." when fired on doubt


@dataclass(frozen=True, slots=True)
class CauseView:
    cause: CauseInfo
    band: str
    supporting: tuple[str, ...]
    opposing: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class WorseGroup:
    """What would make it more urgent, at one level: "Call 999 if", "Get help today if"..."""

    urgency: str
    items: tuple[str, ...]  # the rest of "Call 999 if ..." sentences, after the heading's words
    sentences: tuple[str, ...]  # whole sentences that do not start with the heading's words


@dataclass(frozen=True, slots=True)
class PrintedAnswers:
    """The answers as the printout sorts them: what was found first, the many "No"s last."""

    yes: tuple[str, ...]
    details: tuple[tuple[str, str], ...]  # numbers and choices: age, side, how it started...
    not_sure: tuple[str, ...]
    no: tuple[str, ...]


# The answers that cannot change while the advice stands. "If it gets worse" leaves out a red
# flag these rule out (pregnancy, for a man); any other answer may still change (a symptom may
# still appear), so every other red flag above the result keeps its sentence.
UNCHANGING_FACTS = ("sex",)


def _worse_groups(journey: Journey) -> list[WorseGroup]:
    """
    "If it gets worse", split by the level it would lead to. The sentences are the content's
    (the safety net of every red flag above the result that can still fire, and the signs "Not
    sure" left open); a sentence's level is the highest of the red flags that carry it.
    """
    snapshot, assessment = journey.snapshot, journey.assessment
    possible = None
    if snapshot.criteria is not None:
        fixed = {f: journey.answers[f] for f in UNCHANGING_FACTS if f in journey.answers}
        possible = relevance.possible_red_flags(snapshot.criteria, fixed)
    fired = {flag.slug for flag in assessment.red_flags}
    kept = {flag.safety_net for flag in assessment.uncertain} | {
        flag.safety_net
        for flag in rules.safety_net_flags(snapshot.ruleset, fired, assessment.urgency)
        if possible is None or flag.slug in possible
    }
    level_of: dict[str, str] = {}
    for flag in snapshot.red_flags.values():
        if possible is not None and flag.slug not in possible:
            continue
        known = level_of.get(flag.safety_net)
        if known is None or URGENCY_RANK[flag.urgency] > URGENCY_RANK[known]:
            level_of[flag.safety_net] = flag.urgency
    sentences = [
        (
            flag.urgency,
            questionnaire.unsure_signs_sentence(snapshot, flag, settings.EMERGENCY_NUMBER),
        )
        for flag in assessment.uncertain
    ]
    sentences += [
        (level_of.get(text, EMERGENCY), text) for text in assessment.safety_net if text in kept
    ]
    openings = {
        EMERGENCY: _("Call %(number)s if ") % {"number": settings.EMERGENCY_NUMBER},
        URGENT: _("Get help today if "),
        SOON: _("Book a GP appointment if "),
    }
    groups = []
    for urgency, opening in openings.items():
        items, whole = [], []
        for text in (text for level, text in sentences if level == urgency):
            if text.casefold().startswith(opening.casefold()):
                items.append(text[len(opening) :])
            else:
                whole.append(text)
        if items or whole:
            groups.append(WorseGroup(urgency, tuple(items), tuple(whole)))
    return groups


def _printed_answers(journey: Journey) -> PrintedAnswers:
    words = questionnaire.Words.now()
    yes, details, not_sure, no = [], [], [], []
    for topic in journey.progress.active:
        question: QuestionInfo
        for question in journey.applicable_questions(topic):
            if question.fact not in journey.answers:
                continue
            value = journey.answers[question.fact]
            if value == NOT_SURE:
                not_sure.append(question.short_label)
            elif value is True:
                yes.append(question.short_label)
            elif value is False:
                no.append(question.short_label)
            else:
                details.append(
                    (question.short_label, questionnaire.display_answer(question, value, words))
                )
    return PrintedAnswers(tuple(yes), tuple(details), tuple(not_sure), tuple(no))


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

    flags = []
    for flag in assessment.red_flags:
        info = snapshot.red_flags.get(flag.slug)
        doubt = ""
        if flag.not_sure:
            doubt = questionnaire.doubt_sentence(
                snapshot.questions.get(flag.not_sure), flag.urgency, settings.EMERGENCY_NUMBER
            )
        flags.append(
            FlagView(
                title=flag.title,
                urgency=flag.urgency,
                advice=info.advice if info else flag.action,
                why=info.why_it_matters if info else "",
                because=answered(flag.because),
                doubt=doubt,
            )
        )
    ranked = [
        CauseView(
            cause=snapshot.causes[cause.slug],
            band=cause.band,
            supporting=tuple(reason.statement for reason in cause.supporting),
            opposing=tuple(reason.statement for reason in cause.opposing),
        )
        for cause in assessment.causes
        if cause.slug in snapshot.causes
    ]
    bands = []
    for band in BANDS:
        causes = [item for item in ranked if item.band == band]
        if causes:
            bands.append((band, BAND_TITLES[band], causes))
    # Self care belongs on the page only when nothing needs a doctor today.
    helps = assessment.urgency in (SOON, SELF_CARE)
    return {
        "urgency": assessment.urgency,
        # Every red flag that fired, for the printout's key findings; on the screen, what to do
        # comes from those of the outcome's level, and the others are named after them with the
        # answers behind them, so that a lower level's action never stands beside the outcome.
        "flags": flags,
        "reasons": [flag for flag in flags if flag.urgency == assessment.urgency],
        "also_found": [flag for flag in flags if flag.urgency != assessment.urgency],
        "worse": _worse_groups(journey),
        "bands": bands,
        "what_helps": [item for item in ranked if item.cause.self_care][:SELF_CARE_CAUSES]
        if helps
        else [],
        "answered_steps": journey.answered_steps(),
        "printed_answers": _printed_answers(journey),
        # The content release the results come from (0: the draft, in the admin's preview).
        "release": snapshot.release,
    }
