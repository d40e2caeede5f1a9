"""Reading PDFs as a person would: poppler's ``pdftotext`` (installed by ``make pdf-tools``)."""

from __future__ import annotations

import shutil
import subprocess

import pytest


def pdftotext(body: bytes) -> str:
    """The PDF's text in reading order (layout kept), via poppler's pdftotext."""
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.fail("pdftotext missing: `make pdf-tools` installs poppler-utils")
    done = subprocess.run(
        [tool, "-layout", "-", "-"], input=body, capture_output=True, check=True, timeout=60
    )
    return done.stdout.decode()
