"""
Benchmark of the rules service: the median and p99 time of ``evaluate`` on the shipped content
and on synthetic content 10x and 100x larger (facts, red flags, causes and rules all copied).

Run with ``make bench``. It prints figures; it asserts nothing.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "calfsite.settings")
os.environ.setdefault("DEBUG", "true")

import django  # noqa: E402

django.setup()

from triage import criteria  # noqa: E402
from triage.criteria import FactSpec  # noqa: E402
from triage.models import Cause, EvidenceRule, RedFlag  # noqa: E402
from triage.rules import CauseSpec, EvidenceSpec, RedFlagSpec, RuleSet, evaluate  # noqa: E402
from triage.selectors import get_content  # noqa: E402

# An ordinary case: gradual soreness in both calves after more walking, with a few other answers.
TYPICAL = {
    "age": 58,
    "sex": "female",
    "side": "both_legs",
    "onset": "gradual",
    "duration_days": 2,
    "pain_severity": "mild",
    "swelling": False,
    "warmth": False,
    "redness_or_discolouration": False,
    "tenderness_on_touch": True,
    "more_standing_walking_than_usual": True,
    "new_footwear_or_worn_shoes": True,
    "statin": True,
    "statin_started_recently": False,
    "diuretic": False,
    "night_cramp_before": True,
    "smoker": False,
    "diabetes": False,
}


def rename(data, suffix):
    if isinstance(data, dict):
        return {
            key: (value + suffix if key == "fact" else rename(value, suffix))
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [rename(item, suffix) for item in data]
    return data


def scaled(factor: int) -> tuple[RuleSet, dict]:
    """The shipped content copied ``factor`` times under renamed facts, and matching answers."""
    base = get_content().ruleset
    flags = list(RedFlag.objects.order_by("order", "slug"))
    causes = list(Cause.objects.order_by("order", "slug"))
    rules = list(EvidenceRule.objects.order_by("order", "slug"))
    facts, red_flags, cause_specs, answers = {}, [], [], {}
    for copy in range(factor):
        suffix = "" if copy == 0 else f"__{copy}"
        for name, spec in base.facts.items():
            facts[name + suffix] = FactSpec(
                name + suffix, spec.kind, spec.choices, spec.min_value, spec.max_value
            )
        for name, value in TYPICAL.items():
            answers[name + suffix] = value
    for copy in range(factor):
        suffix = "" if copy == 0 else f"__{copy}"
        for flag in flags:
            red_flags.append(
                RedFlagSpec(
                    flag.slug + suffix,
                    flag.title,
                    flag.urgency,
                    criteria.parse(rename(flag.criteria, suffix), facts),
                    flag.action,
                    flag.safety_net,
                )
            )
        for cause in causes:
            cause_rules = tuple(
                EvidenceSpec(
                    rule.slug + suffix,
                    criteria.parse(rename(rule.criteria, suffix), facts),
                    rule.weight,
                    rule.statement,
                )
                for rule in rules
                if rule.cause_id == cause.pk
            )
            cause_specs.append(
                CauseSpec(cause.slug + suffix, cause.title, cause.urgency, cause_rules)
            )
    return RuleSet(facts, tuple(red_flags), tuple(cause_specs)), answers


def timings(ruleset: RuleSet, answers: dict, seconds: float = 1.0) -> list[float]:
    evaluate(answers=answers, ruleset=ruleset)  # warm up
    samples = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(samples) < 50:
        start = time.perf_counter()
        evaluate(answers=answers, ruleset=ruleset)
        samples.append(time.perf_counter() - start)
    return samples


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    print("Rules service: evaluate() on an ordinary case")
    print(
        f"{'content':>10} {'red flags':>10} {'rules':>7} {'median':>12} {'p99':>12} {'per 1x':>10}"
    )
    first_median = None
    for factor in (1, 10, 100):
        ruleset, answers = scaled(factor)
        samples = timings(ruleset, answers, seconds=1.0 if factor < 100 else 2.0)
        median = statistics.median(samples)
        first_median = first_median or median
        n_rules = sum(len(c.rules) for c in ruleset.causes)
        print(
            f"{str(factor) + 'x':>10} {len(ruleset.red_flags):>10} {n_rules:>7} "
            f"{median * 1e6:>9.1f} us {percentile(samples, 99) * 1e6:>9.1f} us "
            f"{median / first_median / factor:>9.2f}x"
        )
    print("Goals: under 200 us at 1x; under 20 ms at 100x; 'per 1x' near 1.00 means linear growth.")


if __name__ == "__main__":
    main()
