"""Seeded draws do not change when the process loads another local module: the pool of literal
constants Hypothesis collects from loaded modules is switched off while they draw."""

from __future__ import annotations

import importlib
import sys
from contextlib import nullcontext
from pathlib import Path

import pytest
from hypothesis import strategies as st

from tests import hypothesis_support
from tests.hypothesis_support import seeded_draws


def _probe(seed: int) -> set[int]:
    """Constants no other module has (each probe its own: a constant is collected once)."""
    return {7919 * i + seed for i in range(400)}


def _numbers(n: int) -> st.SearchStrategy[list[int]]:
    return st.lists(st.integers(), min_size=20, max_size=20)


def _load_module_with_constants(tmp_path: Path, name: str, constants: set[int]) -> None:
    """A local module full of literal integers, as any module of the project is."""
    (tmp_path / f"{name}.py").write_text("".join(f"C{n} = {n}\n" for n in sorted(constants)))
    sys.path.insert(0, str(tmp_path))
    try:
        importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path))


def test_seeded_draws_are_the_same_whatever_else_is_loaded(tmp_path: Path) -> None:
    before = seeded_draws(_numbers, 30)
    probe = _probe(13)
    _load_module_with_constants(tmp_path, "nearmiss_constants_probe_a", probe)
    after = seeded_draws(_numbers, 30)
    assert after == before
    assert not probe & {x for draw in after for x in draw}


def test_without_the_guard_a_loaded_module_changes_the_draws(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Why the guard exists: Hypothesis' own seeded draws pick up a newly loaded module's
    constants (if this ever fails, the pinned Hypothesis stopped doing so)."""
    monkeypatch.setattr(hypothesis_support, "no_local_constants", nullcontext)
    before = seeded_draws(_numbers, 30)
    probe = _probe(17)
    _load_module_with_constants(tmp_path, "nearmiss_constants_probe_b", probe)
    after = seeded_draws(_numbers, 30)
    assert after != before
    assert probe & {x for draw in after for x in draw}
