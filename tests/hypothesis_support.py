"""Seeded Hypothesis draws that are the same in every process.

``derandomize=True`` seeds Hypothesis from the test function, but Hypothesis (the pinned 6.170)
also mixes in literal constants it collects from every *local* module loaded so far
(``sys.modules``). A seeded property test therefore drew different examples alone and inside the
whole suite, and the SQL-versus-oracle tests' check that their draws reach every outcome failed
only in full runs.
``seeded_draws`` turns that pool off while it draws (an internal of the pinned Hypothesis
version, ``hypothesis==`` in pyproject.toml; ``tests/test_hypothesis_support.py`` fails loudly if
it moves), so the examples depend only on the strategy and the count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.internal.conjecture import providers

T = TypeVar("T")


@contextmanager
def no_local_constants() -> Iterator[None]:
    """Draw without the constants Hypothesis collects from the loaded local modules."""
    original = providers._get_local_constants
    providers.CONSTANTS_CACHE.cache.clear()
    providers._get_local_constants = lambda: providers.Constants()
    try:
        yield
    finally:
        providers._get_local_constants = original
        providers.CONSTANTS_CACHE.cache.clear()


def seeded_draws(example: Callable[[int], st.SearchStrategy[T]], count: int) -> list[T]:
    """``count`` examples, the n-th drawn from ``example(n)``: the same list in every run and
    every process (the tests run them in their own event loop afterwards)."""
    drawn: list[T] = []

    @settings(
        max_examples=count,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate],
    )
    @given(st.data())
    def collect(data: Any) -> None:
        drawn.append(data.draw(example(len(drawn))))

    with no_local_constants():
        collect()
    return drawn
