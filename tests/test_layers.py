"""The layer contract of DESIGN.md (pyproject's ``[tool.importlinter]``) holds, and it would catch
a breach: a copy of the tree where ``domain`` imports ``store`` and a workflow imports SQLAlchemy
is refused, naming each broken contract and import."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = ("domain", "config", "store", "infra", "workflows", "activities", "api", "worker", "cli")


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(root / "pyproject.toml")],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": str(LINT_IMPORTS.parent), "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_tree_keeps_its_layers() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_breach_is_refused(tmp_path: Path) -> None:
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    (tmp_path / "domain" / "leak.py").write_text("import store.db  # noqa\n")
    (tmp_path / "workflows" / "leak.py").write_text("import sqlalchemy  # noqa\n")
    result = _lint(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    said = " ".join(result.stdout.split())  # long contract names wrap
    layers = "Layers: cli > api | worker > activities | workflows > store | infra > config > domain"
    assert f"{layers} BROKEN" in said
    assert "domain.leak -> store.db" in said
    assert "workflows.leak -> sqlalchemy" in said
    assert "Workflows import only domain (never store, activities, infra, config)" in said
    assert "3 broken" in said  # domain.leak also reaches SQLAlchemy through store
