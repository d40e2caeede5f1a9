"""Small-sample statistics of the retention analytics (pure): Wilson 95% intervals for rates and
the Poisson lower bound that flags reporting hesitancy."""

from __future__ import annotations

import math

Z95 = 1.959963984540054
HESITANCY_HISTORY = 6  # previous periods the expected count is the mean of
HESITANCY_MIN_HISTORY = 3  # fewer previous periods: never flagged


def wilson(successes: int, trials: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval of successes ÷ trials (4 places); None with no trials."""
    if trials <= 0:
        return None
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return round(max(0.0, centre - half), 4), round(min(1.0, centre + half), 4)


def poisson_lower(mean: float, tail: float = 0.025) -> int:
    """The lower end of the central 95% interval of a Poisson count with this mean: the
    smallest k with P(X <= k) >= 2.5%."""
    if mean <= 0:
        return 0
    k, term = 0, math.exp(-mean)
    cumulative = term
    while cumulative < tail:
        k += 1
        term *= mean / k
        cumulative += term
    return k


def hesitancy(
    count: int, heads: int, history: list[tuple[int, int]], share: float = 1.0
) -> tuple[float | None, int | None, bool]:
    """(expected count, lower bound, flagged) for a period's reports from a team of ``heads``,
    given the previous periods' (reports, heads), oldest first. The expected count is the mean
    reports per head of the last six periods times this period's heads, times ``share``: the
    part of the period counted (a period cut short by the range's end, such as the current
    week, is expected to have proportionally fewer reports, not flagged for it). The period is
    flagged when its count is below the lower bound. Fewer than three previous periods: not
    flagged."""
    recent = [(n, h) for n, h in history[-HESITANCY_HISTORY:] if h > 0]
    if len(recent) < HESITANCY_MIN_HISTORY or heads <= 0 or share <= 0:
        return None, None, False
    expected = sum(n / h for n, h in recent) / len(recent) * heads * min(1.0, share)
    lower = poisson_lower(expected)
    return round(expected, 2), lower, count < lower
