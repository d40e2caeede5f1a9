"""A report table's cells in words (api.report_words): reasons as the review page words them;
and the renderers import on their own (a fresh interpreter importing api.report_pdf first
failed on a circular import: api.report_words → api.web → routers → api.report_html)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from api.report_words import cell_words


@pytest.mark.parametrize("module", ["api.report_words", "api.report_pdf", "api.report_html"])
def test_each_renderer_imports_first(module: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_cells_in_words() -> None:
    reasons = "missing in service-line-governance-register; triage_owner_id disagrees with x-y"
    assert cell_words("Reasons", reasons).startswith(
        "Missing in service-line governance register; Triage owner disagrees"
    )
    # a register by its name, as the registers page names it (the PDFs gave its slug)
    assert cell_words("Register", "acknowledgment-recovery-log") == "Acknowledgment recovery log"
