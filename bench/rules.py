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

from bench.loadgen import ORDINARY  # noqa: E402
from triage import criteria  # noqa: E402
from triage.criteria import FactSpec  # noqa: E402
from triage.models import Cause, EvidenceRule, RedFlag  # noqa: E402
from triage.rules import CauseSpec, EvidenceSpec, RedFlagSpec, RuleSet, evaluate  # noqa: E402
from triage.selectors import get_content  # noqa: E402

TYPICAL = ORDINARY  # the same ordinary case the load generator answers with


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
        f"  {'content':>8} {'red flags':>10} {'rules':>6} {'median':>11} {'p99':>11} "
        f"{'per 1x':>7} {'shared':>7}  goal         result"
    )
    first_median = first_control = None
    base = scaled(1)[0]
    for factor in (1, 10, 100):
        ruleset, answers = scaled(factor)
        samples = timings(ruleset, answers, seconds=1.0 if factor < 100 else 2.0)
        median = statistics.median(samples)
        first_median = first_median or median
        # The same work over the shipped objects repeated: what the time would be if only the
        # amount of work grew, not the memory it walks.
        control = RuleSet(base.facts, base.red_flags * factor, base.causes * factor)
        control_median = statistics.median(timings(control, answers, seconds=0.5))
        first_control = first_control or control_median
        n_rules = sum(len(c.rules) for c in ruleset.causes)
        goal = {1: 200e-6, 100: 20e-3}.get(factor)
        result = (
            f"< {goal * 1e3:g} ms".ljust(12) + ("PASS" if median < goal else "MISS") if goal else ""
        )
        print(
            f"  {str(factor) + 'x':>8} {len(ruleset.red_flags):>10} {n_rules:>6} "
            f"{median * 1e6:>8.1f} us {percentile(samples, 99) * 1e6:>8.1f} us "
            f"{median / first_median / factor:>6.2f}x "
            f"{control_median / first_control / factor:>6.2f}x"
            f"  {result}"
        )
    print(
        "  per 1x: median / (1x median x factor); 1.00 is linear growth. shared: the same number\n"
        "  of rules evaluated over the shipped rule objects repeated (same work, less memory)."
    )


if __name__ == "__main__":
    main()
