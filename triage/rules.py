"""
The rules service: ``evaluate(*, answers, ruleset) -> Assessment``.

Pure and deterministic: no ORM, no request, no clock. The RuleSet is built once from the
database by ``triage.selectors``; tests and benchmarks build it from plain data.

How the urgency is decided, in order (each outcome defined once):
1. Every red flag whose criteria are definitely true fires; it sets at least its own urgency.
2. "Not sure" (red-flags.md §1.6): an emergency or urgent red flag that is not met, but would be
   if one answer the person was not sure about were taken the safer way (yes, or no where the
   flag needs a no), fires too, on that doubt. A flag that needs two or more such answers does
   not fire on doubt alone; it is listed in ``uncertain`` and its warning goes in the safety net.
3. The urgency is the highest level of the red flags that fired, and ``self_care`` when none did.
   Causes are ranked, never used to set the level: a cause's evidence includes risk factors and
   medicines, which on their own never raise the level (§1.5); every level that a matching
   symptom calls for is a red flag of its own.
When two levels are plausible the higher (safer) one wins, because the maximum is taken.
"Not sure" never lowers a level: it is unknown to every criterion, so it never excludes a flag
(exclusions are ``unless`` criteria) and never counts for or against a cause.
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from itertools import product

from triage.criteria import NOT_SURE, FactSpec, Test

EMERGENCY = "emergency"
URGENT = "urgent"
SOON = "soon"
SELF_CARE = "self_care"
URGENCY_LEVELS = (EMERGENCY, URGENT, SOON, SELF_CARE)  # most urgent first
URGENCY_RANK = {EMERGENCY: 3, URGENT: 2, SOON: 1, SELF_CARE: 0}
# What to do, in the same words in every red flag's action of that urgency (in bold, first): the
# results' care card says it once for the outcome, so a flag there shows the rest of its action.
ACTION_WORDS = {
    EMERGENCY: "Call 999 or go to A&E now",
    URGENT: "Get help today: ask for an urgent GP appointment or contact NHS 111",
    SOON: "Book an appointment with a GP within the next few days or weeks",
}

MORE_LIKELY = "more_likely"
POSSIBLE = "possible"
LESS_LIKELY = "less_likely"
BANDS = (MORE_LIKELY, POSSIBLE, LESS_LIKELY)
# A cause's score is the sum of the weights (1-3, negative when arguing against) of its rules
# that apply. These thresholds turn it into a plain band; there is never a percentage.
MORE_LIKELY_SCORE = 4
POSSIBLE_SCORE = 2


class AnswerError(ValueError):
    """An answers object that does not fit the answer schema. ``fact`` names the culprit."""

    def __init__(self, message: str, fact: str | None = None):
        super().__init__(message)
        self.fact = fact


@dataclass(frozen=True, slots=True)
class RedFlagSpec:
    slug: str
    title: str
    urgency: str
    test: Test
    action: str = ""
    safety_net: str = ""
    # The facts its criteria mention: the answers that "Not sure" can stand in for.
    facts: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class EvidenceSpec:
    slug: str
    test: Test
    weight: int
    statement: str


@dataclass(frozen=True, slots=True)
class CauseSpec:
    slug: str
    title: str
    urgency: str
    rules: tuple[EvidenceSpec, ...]


@dataclass(frozen=True, slots=True)
class RuleSet:
    facts: Mapping[str, FactSpec]
    red_flags: tuple[RedFlagSpec, ...]
    causes: tuple[CauseSpec, ...]
    version: int = 0


@dataclass(frozen=True, slots=True)
class FiredRedFlag:
    slug: str
    title: str
    urgency: str
    because: tuple[str, ...]
    action: str
    # The one answer taken on doubt ("Not sure" read the safer way), or "" when every part of
    # the flag was definitely met.
    not_sure: str = ""


@dataclass(frozen=True, slots=True)
class UncertainFlag:
    """A flag that would fire if two or more "Not sure" answers were all taken the safer way."""

    slug: str
    title: str
    urgency: str
    not_sure: tuple[str, ...]
    safety_net: str


@dataclass(frozen=True, slots=True)
class Reason:
    """One evidence rule that applied: the sentence shown and the answers behind it."""

    rule: str
    statement: str
    weight: int
    facts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RankedCause:
    slug: str
    title: str
    band: str
    score: int
    urgency: str
    supporting: tuple[Reason, ...]
    opposing: tuple[Reason, ...]

    @property
    def supporting_facts(self) -> list[str]:
        return _unique(fact for reason in self.supporting for fact in reason.facts)

    @property
    def opposing_facts(self) -> list[str]:
        return _unique(fact for reason in self.opposing for fact in reason.facts)


@dataclass(frozen=True, slots=True)
class Assessment:
    urgency: str
    red_flags: tuple[FiredRedFlag, ...]
    causes: tuple[RankedCause, ...]
    safety_net: tuple[str, ...]
    uncertain: tuple[UncertainFlag, ...] = ()

    @property
    def is_emergency(self) -> bool:
        return self.urgency == EMERGENCY

    def as_dict(self) -> dict:
        """The stable JSON shape printed by ``manage.py assess``."""
        return {
            "urgency": self.urgency,
            "red_flags": [
                {
                    "slug": flag.slug,
                    "urgency": flag.urgency,
                    "because": list(flag.because),
                    **({"not_sure": flag.not_sure} if flag.not_sure else {}),
                }
                for flag in self.red_flags
            ],
            "causes": [
                {
                    "slug": cause.slug,
                    "band": cause.band,
                    "score": cause.score,
                    "supporting": cause.supporting_facts,
                    "opposing": cause.opposing_facts,
                }
                for cause in self.causes
            ],
            "safety_net": list(self.safety_net),
            **(
                {
                    "not_sure_signs": [
                        {
                            "slug": flag.slug,
                            "urgency": flag.urgency,
                            "not_sure": list(flag.not_sure),
                        }
                        for flag in self.uncertain
                    ]
                }
                if self.uncertain
                else {}
            ),
        }


def _unique(items) -> list:
    return list(dict.fromkeys(items))


def band_for(score: int) -> str:
    if score >= MORE_LIKELY_SCORE:
        return MORE_LIKELY
    if score >= POSSIBLE_SCORE:
        return POSSIBLE
    return LESS_LIKELY


def validate_answers(answers: object, facts: Mapping[str, FactSpec]) -> dict:
    """Return ``answers`` as a plain dict if every key is a known fact with an allowed value."""
    if not isinstance(answers, Mapping):
        raise AnswerError("answers must be a JSON object of fact names to values")
    for name, value in answers.items():
        spec = facts.get(name)
        if spec is None:
            raise AnswerError(f"{name}: unknown fact", fact=name)
        try:
            spec.check(value)
        except ValueError as error:
            raise AnswerError(str(error), fact=name) from None
    return dict(answers)


# A flag that needs this many "Not sure" answers or more is not searched for a way to fire.
MOST_UNSURE_PARTS = 6


def unsure_facts(answers: Mapping[str, object]) -> tuple[str, ...]:
    """The facts answered "Not sure" (the criteria read each of them as unknown)."""
    return tuple(fact for fact, value in answers.items() if value == NOT_SURE)


def _values(spec: FactSpec | None) -> tuple:
    if spec is None or spec.kind == "boolean":
        return (True, False)
    return spec.choices


def _fires_on_doubt(flag: RedFlagSpec, answers, fact: str, spec) -> tuple[str, ...] | None:
    """The facts behind the flag if ``fact`` (answered "Not sure") is read the safer way."""
    for value in _values(spec):
        result, because = flag.test({**answers, fact: value})
        if result:
            return because
    return None


@dataclass(frozen=True, slots=True)
class _Doubt:
    because: tuple[str, ...] | None = None  # the facts behind the flag, when it fires on doubt
    taken: str = ""  # the one "Not sure" answer read the safer way
    open_parts: tuple[str, ...] = ()  # or: the "Not sure" answers that together would fire it


def _on_doubt(flag: RedFlagSpec, answers, not_sure, facts) -> _Doubt:
    """
    An emergency or urgent flag that is not met outright (its test gave None), read with the
    "Not sure" answers it mentions (red-flags.md §1.6).
    """
    mentioned = [f for f in not_sure if not flag.facts or f in flag.facts]
    for fact in mentioned:
        because = _fires_on_doubt(flag, answers, fact, facts.get(fact))
        if because is not None:
            return _Doubt(because=because, taken=fact)
    if 2 <= len(mentioned) <= MOST_UNSURE_PARTS:
        for values in product(*(_values(facts.get(f)) for f in mentioned)):
            result, because = flag.test({**answers, **dict(zip(mentioned, values, strict=True))})
            if result:
                return _Doubt(open_parts=tuple(f for f in mentioned if f in because))
    return _Doubt()


def _may_doubt(flag: RedFlagSpec) -> bool:
    return URGENCY_RANK[flag.urgency] >= URGENCY_RANK[URGENT]


def evaluate(*, answers: Mapping[str, object], ruleset: RuleSet) -> Assessment:
    """Assess one set of answers. Missing facts are unknown; they never count as 'no'."""
    rank = URGENCY_RANK
    level = 0
    not_sure = unsure_facts(answers)

    fired: list[FiredRedFlag] = []
    uncertain: list[UncertainFlag] = []
    for flag in ruleset.red_flags:
        result, because = flag.test(answers)
        taken = ""
        if result is None and not_sure and _may_doubt(flag):
            doubt = _on_doubt(flag, answers, not_sure, ruleset.facts)
            if doubt.open_parts:
                uncertain.append(
                    UncertainFlag(
                        flag.slug, flag.title, flag.urgency, doubt.open_parts, flag.safety_net
                    )
                )
            if doubt.because is None:
                continue
            result, because, taken = True, doubt.because, doubt.taken
        if result:
            fired.append(
                FiredRedFlag(
                    flag.slug,
                    flag.title,
                    flag.urgency,
                    tuple(_unique(because)),
                    flag.action,
                    taken,
                )
            )
            level = max(level, rank[flag.urgency])

    ranked: list[tuple[tuple, RankedCause]] = []
    for position, cause in enumerate(ruleset.causes):
        supporting: list[Reason] = []
        opposing: list[Reason] = []
        score = 0
        for rule in cause.rules:
            result, because = rule.test(answers)
            if result:
                score += rule.weight
                reason = Reason(rule.slug, rule.statement, rule.weight, because)
                (supporting if rule.weight > 0 else opposing).append(reason)
        if not supporting:
            continue
        band = band_for(score)
        ranked.append(
            (
                (-score, -rank[cause.urgency], position),
                RankedCause(
                    cause.slug,
                    cause.title,
                    band,
                    score,
                    cause.urgency,
                    tuple(supporting),
                    tuple(opposing),
                ),
            )
        )
    ranked.sort(key=lambda pair: pair[0])
    causes = tuple(cause for _, cause in ranked)

    urgency = URGENCY_LEVELS[len(URGENCY_LEVELS) - 1 - level]
    fired_slugs = {flag.slug for flag in fired}
    # Kept only while they still matter: a flag whose level is not above the result says nothing.
    uncertain = [flag for flag in uncertain if rank[flag.urgency] > level]
    safety_net = tuple(
        _unique(
            [flag.safety_net for flag in uncertain if flag.safety_net]
            + [flag.safety_net for flag in safety_net_flags(ruleset, fired_slugs, urgency)]
        )
    )
    return Assessment(urgency, tuple(fired), causes, safety_net, tuple(uncertain))


def safety_net_flags(ruleset: RuleSet, fired: Collection[str], urgency: str) -> list[RedFlagSpec]:
    """The red flags whose sentences a result's safety net gives: above it, and not fired."""
    level = URGENCY_RANK[urgency]
    return [
        flag
        for flag in ruleset.red_flags
        if flag.safety_net and flag.slug not in fired and URGENCY_RANK[flag.urgency] > level
    ]
