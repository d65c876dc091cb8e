"""
Criteria: when a red flag fires, an evidence rule applies or a question is asked, as JSON data.

A criterion is one of:

    {"fact": "swelling", "is": true}            the answer equals a value
    {"fact": "sex", "in": ["female"]}           the answer is one of several values
    {"fact": "age", "gte": 60}                  a whole number at least / at most
    {"fact": "age", "lte": 40}
    {"all": [criterion, ...]}                   every one holds
    {"any": [criterion, ...]}                   at least one holds
    {"at_least": 2, "of": [criterion, ...]}     at least N hold
    {"unless": criterion}                       an exclusion: holds unless the criterion is
                                                definitely true

A fact that was not answered is *unknown*, never "no": criteria use three-valued logic, and a
criterion only fires when it is definitely true. A "Not sure" answer (the value ``"not_sure"``)
is unknown too, except to a criterion that names ``"not_sure"`` itself (``{"fact": "swelling",
"in": [true, "not_sure"]}``, for asking a follow-up question). ``unless`` is how a criterion
says "not when ...": an unknown or "Not sure" answer never excludes, so doubt never lowers a
level. ``parse`` checks a criterion against the facts and compiles it into a fast pure
function; ``CriteriaError`` says, in plain words, what is wrong.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

# A compiled criterion: answers -> (True | False | None, the facts that made it true).
Test = Callable[[Mapping[str, object]], tuple[bool | None, tuple[str, ...]]]

NO_FACTS: tuple[str, ...] = ()

# The stored answer of a question answered "Not sure": asked, and the person did not know.
NOT_SURE = "not_sure"


class CriteriaError(ValueError):
    """A criterion that names an unknown fact, a value not allowed, or has the wrong shape."""


@dataclass(frozen=True, slots=True)
class FactSpec:
    """A fact of the answer schema: its name, kind and allowed values."""

    name: str
    kind: str  # "boolean" | "choice" | "integer"
    choices: tuple[str, ...] = ()
    min_value: int | None = None
    max_value: int | None = None
    # The question offers "Not sure": "not_sure" is an allowed answer too.
    not_sure: bool = False

    def allowed(self) -> str:
        if self.kind == "boolean":
            return 'true, false or "not_sure"' if self.not_sure else "true or false"
        if self.kind == "choice":
            return "one of " + ", ".join(f'"{c}"' for c in self.choices)
        low = "" if self.min_value is None else str(self.min_value)
        high = "" if self.max_value is None else str(self.max_value)
        if low and high:
            return f"a whole number from {low} to {high}"
        if low:
            return f"a whole number of at least {low}"
        if high:
            return f"a whole number of at most {high}"
        return "a whole number"

    def check(self, value: object) -> None:
        """Raise ValueError naming what is allowed if ``value`` is not a valid answer."""
        if value == NOT_SURE and self.not_sure:
            return
        if self.kind == "boolean":
            ok = isinstance(value, bool)
        elif self.kind == "choice":
            ok = isinstance(value, str) and value in self.choices
        else:
            ok = (
                isinstance(value, int)
                and not isinstance(value, bool)
                and (self.min_value is None or value >= self.min_value)
                and (self.max_value is None or value <= self.max_value)
            )
        if not ok:
            raise ValueError(f"{self.name}: {value!r} is not allowed; expected {self.allowed()}")


def facts_in(data: object) -> set[str]:
    """Every fact name a (possibly invalid) criterion mentions."""
    if isinstance(data, dict):
        names = {data["fact"]} if isinstance(data.get("fact"), str) else set()
        for key in ("all", "any", "of"):
            for item in data.get(key) or ():
                names |= facts_in(item)
        if "unless" in data:
            names |= facts_in(data["unless"])
        return names
    return set()


def parse(data: object, facts: Mapping[str, FactSpec], *, where: str = "criteria") -> Test:
    """Check ``data`` against ``facts`` and compile it. Raises CriteriaError."""
    if not isinstance(data, dict):
        raise CriteriaError(f"{where}: expected an object such as {{'fact': ..., 'is': ...}}")
    if "fact" in data:
        return _parse_fact(data, facts, where)
    for key in ("all", "any"):
        if key in data:
            if set(data) != {key}:
                raise CriteriaError(f"{where}: '{key}' cannot be mixed with other keys")
            items = _parse_items(data[key], facts, f"{where}.{key}")
            return _all(items) if key == "all" else _any(items)
    if "at_least" in data:
        if set(data) != {"at_least", "of"}:
            raise CriteriaError(f"{where}: 'at_least' needs 'of' and nothing else")
        n = data["at_least"]
        items = _parse_items(data["of"], facts, f"{where}.of")
        if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= len(items):
            raise CriteriaError(
                f"{where}: 'at_least' must be a whole number from 1 to {len(items)}"
            )
        return _at_least(n, items)
    if "unless" in data:
        if set(data) != {"unless"}:
            raise CriteriaError(f"{where}: 'unless' cannot be mixed with other keys")
        return _unless(parse(data["unless"], facts, where=f"{where}.unless"))
    raise CriteriaError(f"{where}: expected 'fact', 'all', 'any', 'at_least' or 'unless'")


def _parse_items(items: object, facts: Mapping[str, FactSpec], where: str) -> list[Test]:
    if not isinstance(items, list) or not items:
        raise CriteriaError(f"{where}: expected a non-empty list of criteria")
    return [parse(item, facts, where=f"{where}[{i}]") for i, item in enumerate(items)]


def _parse_fact(data: dict, facts: Mapping[str, FactSpec], where: str) -> Test:
    name = data["fact"]
    spec = facts.get(name) if isinstance(name, str) else None
    if spec is None:
        raise CriteriaError(f"{where}: unknown fact {name!r}")
    ops = set(data) - {"fact"}
    if len(ops) != 1:
        raise CriteriaError(f"{where}: give exactly one of 'is', 'in', 'gte', 'lte' for {name}")
    (op,) = ops
    value = data[op]
    if op == "is":
        _check_value(spec, value, where)
        return _equals(name, value)
    if op == "in":
        if not isinstance(value, list) or not value:
            raise CriteriaError(f"{where}: 'in' needs a non-empty list of values for {name}")
        for item in value:
            _check_value(spec, item, where)
        return _one_of(name, frozenset(value))
    if op in ("gte", "lte"):
        if spec.kind != "integer":
            raise CriteriaError(f"{where}: '{op}' only applies to whole-number facts, not {name}")
        if not isinstance(value, int) or isinstance(value, bool):
            raise CriteriaError(f"{where}: '{op}' needs a whole number for {name}")
        return _compare(name, value, op == "gte")
    raise CriteriaError(f"{where}: unknown operator {op!r}; use 'is', 'in', 'gte' or 'lte'")


def _check_value(spec: FactSpec, value: object, where: str) -> None:
    try:
        spec.check(value)
    except ValueError as error:
        raise CriteriaError(f"{where}: {error}") from None


def _equals(name: str, expected: object) -> Test:
    fired = (name,)
    names_not_sure = expected == NOT_SURE

    def test(answers):
        value = answers.get(name)
        if value is None or (value == NOT_SURE and not names_not_sure):
            return None, NO_FACTS
        return (True, fired) if value == expected else (False, NO_FACTS)

    return test


def _one_of(name: str, expected: frozenset) -> Test:
    fired = (name,)
    names_not_sure = NOT_SURE in expected

    def test(answers):
        value = answers.get(name)
        if value is None or (value == NOT_SURE and not names_not_sure):
            return None, NO_FACTS
        return (True, fired) if value in expected else (False, NO_FACTS)

    return test


def _compare(name: str, limit: int, at_least: bool) -> Test:
    fired = (name,)

    def test(answers):
        value = answers.get(name)
        if value is None or value == NOT_SURE:
            return None, NO_FACTS
        ok = value >= limit if at_least else value <= limit
        return (True, fired) if ok else (False, NO_FACTS)

    return test


def _all(items: list[Test]) -> Test:
    items = tuple(items)

    def test(answers):
        unknown = False
        because: tuple[str, ...] = ()
        for item in items:
            result, facts = item(answers)
            if result is False:
                return False, NO_FACTS
            if result is None:
                unknown = True
            else:
                because += facts
        return (None, NO_FACTS) if unknown else (True, because)

    return test


def _any(items: list[Test]) -> Test:
    items = tuple(items)

    def test(answers):
        unknown = held = False
        because: tuple[str, ...] = ()
        for item in items:
            result, facts = item(answers)
            if result:
                held = True
                because += facts
            elif result is None:
                unknown = True
        if held:
            return True, because
        return (None, NO_FACTS) if unknown else (False, NO_FACTS)

    return test


def _at_least(n: int, items: list[Test]) -> Test:
    items = tuple(items)

    def test(answers):
        true = unknown = 0
        because: tuple[str, ...] = ()
        for item in items:
            result, facts = item(answers)
            if result:
                true += 1
                because += facts
            elif result is None:
                unknown += 1
        if true >= n:
            return True, because
        return (None, NO_FACTS) if true + unknown >= n else (False, NO_FACTS)

    return test


def _unless(item: Test) -> Test:
    def test(answers):
        result, _ = item(answers)
        return (False, NO_FACTS) if result else (True, NO_FACTS)

    return test
