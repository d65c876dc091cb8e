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

from bench.cases import ORDINARY  # noqa: E402
from bench.content import rename  # noqa: E402
from triage import criteria  # noqa: E402
from triage.criteria import FactSpec  # noqa: E402
from triage.models import Cause, EvidenceRule, RedFlag  # noqa: E402
from triage.rules import CauseSpec, EvidenceSpec, RedFlagSpec, RuleSet, evaluate  # noqa: E402
from triage.selectors import get_content  # noqa: E402

FACTORS = (1, 10, 100)
GOALS = {1: 200e-6, 100: 20e-3}  # seconds, median
TYPICAL = ORDINARY  # the same ordinary case the load generator answers with


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


# CPU time of this thread: time the process spent waiting for a core (the machine may be
# shared) would otherwise land mostly on the long evaluations and bend the growth curve.
clock = time.thread_time


def timings(cases: dict, seconds: float) -> dict[str, list[float]]:
    """
    Samples of each case's evaluate() time, taken in turns for ``seconds``: on a shared machine
    every case then sees the same background load, so their ratios hold.
    """
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for ruleset, answers in cases.values():
        evaluate(answers=answers, ruleset=ruleset)  # warm up
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        for name, (ruleset, answers) in cases.items():
            # About 5 ms per case and turn, whatever its size.
            turn_end = time.perf_counter() + 0.005
            while True:
                start = clock()
                evaluate(answers=answers, ruleset=ruleset)
                samples[name].append(clock() - start)
                if time.perf_counter() >= turn_end:
                    break
    return samples


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    base = scaled(1)[0]
    cases, sizes = {}, {}
    for factor in FACTORS:
        ruleset, answers = scaled(factor)
        cases[f"{factor}x"] = (ruleset, answers)
        # The same work over the shipped rule objects repeated: how the time would grow if only
        # the amount of work grew, not the memory it walks.
        cases[f"{factor}x shared"] = (
            RuleSet(base.facts, base.red_flags * factor, base.causes * factor),
            answers,
        )
        sizes[factor] = (len(ruleset.red_flags), sum(len(c.rules) for c in ruleset.causes))
    samples = timings(cases, seconds=float(os.getenv("BENCH_RULES_SECONDS", "6")))
    median = {name: statistics.median(values) for name, values in samples.items()}

    print("Rules service: evaluate() on an ordinary case (CPU time per call)")
    print(
        f"  {'content':>8} {'red flags':>10} {'rules':>6} {'median':>11} {'p99':>11} "
        f"{'per 1x':>7} {'shared':>7}  goal         result"
    )
    for factor in FACTORS:
        name = f"{factor}x"
        goal = GOALS.get(factor)
        result = (
            f"< {goal * 1e3:g} ms".ljust(12) + ("PASS" if median[name] < goal else "MISS")
            if goal
            else ""
        )
        flags, rules = sizes[factor]
        print(
            f"  {name:>8} {flags:>10} {rules:>6} "
            f"{median[name] * 1e6:>8.1f} us {percentile(samples[name], 99) * 1e6:>8.1f} us "
            f"{median[name] / median['1x'] / factor:>6.2f}x "
            f"{median[name + ' shared'] / median['1x shared'] / factor:>6.2f}x"
            f"  {result}"
        )
    print(
        "  per 1x: median / (1x median x factor); 1.00 is linear growth. shared: the same number\n"
        "  of rules evaluated over the shipped rule objects repeated (same work, less memory)."
    )


if __name__ == "__main__":
    main()
