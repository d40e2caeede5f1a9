"""The layer contract of DESIGN.md (pyproject's ``[tool.importlinter]``) holds, and it would catch
a breach: a copy of the tree where ``domain`` imports ``store`` and a workflow imports SQLAlchemy
is refused, naming each broken contract and import. And the tests keep their own shape: shared
helpers live in support modules (``tests/*_support.py``, factories), never in a test module that
another file imports."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
TESTS = ROOT / "tests"
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


def imported_test_modules(source: str) -> set[str]:
    """The ``tests.test_*`` modules a file's source imports (``from tests import test_x`` too)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        found |= {n for n in names if n.startswith("tests.test_") and n.count(".") == 1}
    return found


def test_no_file_of_the_suite_imports_a_test_module() -> None:
    importing = {
        str(path.relative_to(TESTS)): sorted(
            imported_test_modules(path.read_text(encoding="utf-8"))
        )
        for path in sorted(TESTS.rglob("*.py"))
    }
    assert {name: mods for name, mods in importing.items() if mods} == {}


def test_an_import_of_a_test_module_is_found() -> None:
    assert imported_test_modules("from tests.test_x import helper\n") == {"tests.test_x"}
    assert imported_test_modules("import tests.test_x as t\n") == {"tests.test_x"}
    assert imported_test_modules("from tests import test_x, web_support\n") == {"tests.test_x"}
    assert imported_test_modules("from tests.web_support import sign_in\n") == set()
