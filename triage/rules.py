"""
The rules service: ``evaluate(*, answers, ruleset) -> Assessment``.

Pure and deterministic: no ORM, no request, no clock. The RuleSet is built once from the
database by ``triage.selectors``; tests and benchmarks build it from plain data.

How the urgency is decided, in order (each outcome defined once):
1. Every red flag whose criteria are definitely true fires; it sets at least its own urgency.
2. Every cause whose evidence puts it in the "more likely" or "possible" band sets at least the
   urgency it calls for on its own (a possible DVT is still a reason to be seen today).
3. The urgency is the highest of these, and ``self_care`` when nothing fired.
When two levels are plausible the higher (safer) one wins, because the maximum is taken.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from triage.criteria import FactSpec, Test

EMERGENCY = "emergency"
URGENT = "urgent"
SOON = "soon"
SELF_CARE = "self_care"
URGENCY_LEVELS = (EMERGENCY, URGENT, SOON, SELF_CARE)  # most urgent first
URGENCY_RANK = {EMERGENCY: 3, URGENT: 2, SOON: 1, SELF_CARE: 0}

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
    # Which causes raised the urgency (slugs), when no red flag did it alone.
    urgency_from_causes: tuple[str, ...] = field(default=())

    @property
    def is_emergency(self) -> bool:
        return self.urgency == EMERGENCY

    def as_dict(self) -> dict:
        """The stable JSON shape printed by ``manage.py assess``."""
        return {
            "urgency": self.urgency,
            "red_flags": [
                {"slug": flag.slug, "urgency": flag.urgency, "because": list(flag.because)}
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


def _ranked(cause: CauseSpec, answers: Mapping[str, object]) -> RankedCause | None:
    """The cause's score, band and reasons for these answers; None when no rule supports it."""
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
        return None
    return RankedCause(
        cause.slug,
        cause.title,
        band_for(score),
        score,
        cause.urgency,
        tuple(supporting),
        tuple(opposing),
    )


def _raises_urgency(cause: RankedCause) -> bool:
    """A cause in the "more likely" or "possible" band calls for the urgency it has."""
    return cause.band != LESS_LIKELY


def is_emergency(*, answers: Mapping[str, object], ruleset: RuleSet) -> bool:
    """
    ``evaluate(answers=answers, ruleset=ruleset).is_emergency``, testing only what can make it
    so: the emergency red flags and the emergency causes, each judged as ``evaluate`` does.
    """
    if any(flag.urgency == EMERGENCY and flag.test(answers)[0] for flag in ruleset.red_flags):
        return True
    for cause in ruleset.causes:
        if cause.urgency == EMERGENCY:
            ranked = _ranked(cause, answers)
            if ranked is not None and _raises_urgency(ranked):
                return True
    return False


def evaluate(*, answers: Mapping[str, object], ruleset: RuleSet) -> Assessment:
    """Assess one set of answers. Missing facts are unknown; they never count as 'no'."""
    rank = URGENCY_RANK
    level = 0

    fired: list[FiredRedFlag] = []
    for flag in ruleset.red_flags:
        result, because = flag.test(answers)
        if result:
            fired.append(
                FiredRedFlag(
                    flag.slug, flag.title, flag.urgency, tuple(_unique(because)), flag.action
                )
            )
            level = max(level, rank[flag.urgency])

    ranked: list[tuple[tuple, RankedCause]] = []
    for position, cause in enumerate(ruleset.causes):
        result = _ranked(cause, answers)
        if result is not None:
            ranked.append(((-result.score, -rank[cause.urgency], position), result))
    ranked.sort(key=lambda pair: pair[0])
    causes = tuple(cause for _, cause in ranked)

    raising = [c for c in causes if _raises_urgency(c) and rank[c.urgency] > level]
    cause_level = max((rank[c.urgency] for c in raising), default=0)
    from_causes: tuple[str, ...] = ()
    if cause_level > level:
        level = cause_level
        from_causes = tuple(c.slug for c in raising if rank[c.urgency] == cause_level)

    urgency = URGENCY_LEVELS[len(URGENCY_LEVELS) - 1 - level]
    fired_slugs = {flag.slug for flag in fired}
    safety_net = tuple(
        _unique(
            flag.safety_net
            for flag in ruleset.red_flags
            if flag.safety_net and flag.slug not in fired_slugs and rank[flag.urgency] > level
        )
    )
    return Assessment(urgency, tuple(fired), causes, safety_net, from_causes)
