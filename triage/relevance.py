"""
Which unanswered questions can still matter, given the answers so far.

A question is worth asking when its answer could still change the outcome: whether a red flag
fires (and so the urgency), or which band ("more likely", "possible" or neither) a cause is in.
Everything else is skipped.

The rules only ever act on criteria that are definitely true: a red flag fires, an evidence rule
adds its weight, a question is asked, only when its criterion is true; unknown and false are
alike to them. So each criterion is looked at in three states:

- TRUE: it holds for the answers given, whatever the other answers will be;
- NEVER: it can never hold (an answer rules it out, or a fact it needs was answered "Not sure"
  or will never be asked, so it stays unknown);
- OPEN: still undecided, and the unanswered facts it could turn on are listed.

``all``, ``any`` and ``at_least`` hold exactly when enough of their parts hold, and ``unless``
exactly when its part does not, so these states follow from the parts' states alone. An urgent
or emergency red flag may also fire on a "Not sure" answer read the safer way
(``triage.rules``): for such a flag, a part that such an answer leaves unknown is OPEN, with
nothing to ask about it. The facts of an OPEN criterion are a superset of those it really
depends on, so a question that matters is never skipped; at worst one that does not is asked.
An evidence rule's fact matters only when the cause's score could still cross a band threshold
by that fact's rules alone (the score range of the cause's other undecided rules is taken as a
whole range, again a superset).

Each fact's atoms are tested by the compiled tests of ``triage.criteria``, so a value means the
same here as to the rules service. Pure: no ORM, no request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from triage import criteria
from triage.criteria import NOT_SURE, FactSpec, Test
from triage.rules import MORE_LIKELY_SCORE, POSSIBLE_SCORE, URGENCY_RANK, URGENT

# The score thresholds at which a cause changes band (rules.band_for).
THRESHOLDS = (POSSIBLE_SCORE, MORE_LIKELY_SCORE)

TRUE = "true"
NEVER = "never"
OPEN = "open"

NO_FACTS: frozenset[str] = frozenset()


# A criterion as a tree: ("fact", name, test, {name}) | ("all", parts) | ("any", parts)
# | ("at_least", n, parts) | ("unless", (part,)); ``test`` is the compiled criteria test of
# that one atom, and {name} the facts it turns on when open.
Node = tuple


def tree(data: object, facts: Mapping[str, FactSpec]) -> Node:
    """The tree of a criterion already checked by ``criteria.parse``."""
    if "fact" in data:
        test: Test = criteria.parse(data, facts)
        return ("fact", data["fact"], test, frozenset((data["fact"],)))
    if "all" in data:
        return ("all", tuple(tree(item, facts) for item in data["all"]))
    if "any" in data:
        return ("any", tuple(tree(item, facts) for item in data["any"]))
    if "unless" in data:
        return ("unless", (tree(data["unless"], facts),))
    return ("at_least", data["at_least"], tuple(tree(item, facts) for item in data["of"]))


@dataclass(frozen=True, slots=True)
class CauseRules:
    slug: str
    rules: tuple[tuple[int, Node], ...]  # (weight, criterion)


@dataclass(frozen=True, slots=True)
class Criteria:
    """The criteria of one content version, as trees: what the analysis reads."""

    red_flags: tuple[tuple[str, str, Node], ...]  # (slug, urgency, criterion)
    causes: tuple[CauseRules, ...]
    ask_when: Mapping[str, Node | None]  # every question's fact -> its skip condition

    @classmethod
    def build(
        cls,
        *,
        facts: Mapping[str, FactSpec],
        red_flags: list[tuple[str, str, object]],  # (slug, urgency, criterion)
        causes: list[tuple[str, list[tuple[int, object]]]],
        ask_when: Mapping[str, object | None],
    ) -> Criteria:
        return cls(
            red_flags=tuple(
                (slug, urgency, tree(data, facts)) for slug, urgency, data in red_flags
            ),
            causes=tuple(
                CauseRules(slug, tuple((weight, tree(data, facts)) for weight, data in rules))
                for slug, rules in causes
            ),
            ask_when={
                fact: (tree(data, facts) if data else None) for fact, data in ask_when.items()
            },
        )


class _State:
    """The answers so far, and which unanswered facts could still be asked."""

    __slots__ = ("answers", "ask_when", "_askable")

    def __init__(self, answers: Mapping[str, object], ask_when: Mapping[str, Node | None]):
        self.answers = answers
        self.ask_when = ask_when
        self._askable: dict[str, bool] = {}

    def askable(self, fact: str) -> bool:
        """Not answered yet, and its question may still be asked."""
        known = self._askable.get(fact)
        if known is None:
            self._askable[fact] = False  # a condition that needs its own fact never holds
            if fact in self.answers or fact not in self.ask_when:
                known = False
            else:
                condition = self.ask_when[fact]
                known = condition is None or status(condition, self)[0] is not NEVER
            self._askable[fact] = known
        return known


def status(node: Node, state: _State, doubt: bool = False) -> tuple[str, frozenset[str]]:
    """
    TRUE, NEVER or OPEN, with the unanswered facts an OPEN criterion could turn on. ``doubt``:
    for a red flag that may fire on a "Not sure" answer read the safer way, such an answer can
    still make its part hold, though there is nothing left to ask about it.
    """
    kind = node[0]
    if kind == "fact":
        result = node[2](state.answers)[0]
        if result:
            return TRUE, NO_FACTS
        if result is None:
            if state.askable(node[1]):
                return OPEN, node[3]
            if doubt and state.answers.get(node[1]) == NOT_SURE:
                return OPEN, NO_FACTS
        return NEVER, NO_FACTS
    if kind == "unless":
        outcome, facts = status(node[1][0], state, doubt)
        if outcome is OPEN:
            return OPEN, facts
        return (NEVER if outcome is TRUE else TRUE), NO_FACTS
    parts = node[-1]
    true = 0
    open_facts: list[frozenset[str]] = []
    for part in parts:
        outcome, facts = status(part, state, doubt)
        if outcome is TRUE:
            true += 1
        elif outcome is OPEN:
            open_facts.append(facts)
        elif kind == "all":
            return NEVER, NO_FACTS
    needed = len(parts) if kind == "all" else 1 if kind == "any" else node[1]
    if true >= needed:
        return TRUE, NO_FACTS
    if true + len(open_facts) < needed:
        return NEVER, NO_FACTS
    return OPEN, frozenset().union(*open_facts)


def _cause_facts(cause: CauseRules, state: _State) -> set[str]:
    """The unanswered facts whose answers could still move this cause to another band."""
    base = 0
    undecided: list[tuple[int, frozenset[str]]] = []
    for weight, node in cause.rules:
        outcome, facts = status(node, state)
        if outcome is TRUE:
            base += weight
        elif outcome is OPEN:
            undecided.append((weight, facts))
    if not undecided:
        return set()
    lowest = base + sum(w for w, _ in undecided if w < 0)
    highest = base + sum(w for w, _ in undecided if w > 0)
    if not any(lowest < t <= highest for t in THRESHOLDS):
        return set()
    # For each fact: how far the rules it could turn on move the score, down and up.
    moves: dict[str, tuple[int, int]] = {}
    for weight, facts in undecided:
        for fact in facts:
            down, up = moves.get(fact, (0, 0))
            moves[fact] = (down + min(weight, 0), up + max(weight, 0))
    all_down = lowest - base
    all_up = highest - base
    matters = set()
    for fact, (down, up) in moves.items():
        # The other rules leave the score anywhere from ``low`` to ``high``.
        low, high = all_down - down, all_up - up
        for t in THRESHOLDS:
            # Some score s of the other rules, low <= s <= high, with the threshold between
            # base + s + down and base + s + up.
            if max(low, t - base - up) <= min(high, t - base - down - 1):
                matters.add(fact)
                break
    return matters


def relevant_facts(criteria_: Criteria, answers: Mapping[str, object]) -> frozenset[str]:
    """
    The unanswered facts whose answers could still change a red flag or a cause's band, and
    the facts their questions' skip conditions need to be asked at all.
    """
    state = _State(answers, criteria_.ask_when)
    matters: set[str] = set()
    for _slug, urgency, node in criteria_.red_flags:
        outcome, facts = status(node, state, URGENCY_RANK[urgency] >= URGENCY_RANK[URGENT])
        if outcome is OPEN:
            matters |= facts
    for cause in criteria_.causes:
        matters |= _cause_facts(cause, state)
    # A question is asked only once its skip condition holds: what that needs matters too.
    pending = list(matters)
    while pending:
        condition = criteria_.ask_when.get(pending.pop())
        if condition is None:
            continue
        outcome, facts = status(condition, state)
        if outcome is OPEN:
            new = facts - matters
            matters |= new
            pending.extend(new)
    return frozenset(matters)


def possible_red_flags(criteria_: Criteria, answers: Mapping[str, object]) -> frozenset[str]:
    """
    The red flags that can still fire given ``answers``, any fact not among them still to
    come if its question may be asked: given only the answers that cannot change, the flags
    that may yet fire whatever happens next.
    """
    state = _State(answers, criteria_.ask_when)
    return frozenset(
        slug for slug, _urgency, node in criteria_.red_flags if status(node, state)[0] is not NEVER
    )
