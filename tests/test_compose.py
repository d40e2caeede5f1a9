"""Structure of how the service is run: docker-compose.yml, Dockerfile, Makefile, .ci/run, README.

No Docker engine runs here, so the compose file is checked structurally: dependencies wait on
health or completion, every NEARMISS_ variable is a real setting, every command is a real
``nearmiss`` subcommand, and no secret is written into the file.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml

from cli.dev_cmd import temporal_command
from cli.main import app
from config.settings import Settings
from domain.names import SEARCH_ATTRIBUTES

ROOT = Path(__file__).resolve().parent.parent
SERVICES = {
    "postgresql", "temporal-schema", "temporal", "temporal-namespace", "temporal-ui",
    "temporal-setup", "migrate", "worker", "api", "prometheus", "grafana-dashboards", "grafana",
}  # fmt: skip
OURS = {"temporal-setup": "temporal-setup", "migrate": "migrate", "worker": "worker", "api": "api"}
SECRET_SUFFIXES = ("SECRET", "PASSWORD", "PWD", "_KEY")
REQUIRED_VARIABLE = re.compile(r"\$\{[A-Z0-9_]+:\?[^}]*\}")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    return compose["services"]


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


def test_every_service_is_present(services: dict[str, Any]) -> None:
    assert set(services) == SERVICES


def test_dependencies_wait_on_health_or_completion(services: dict[str, Any]) -> None:
    for name, service in services.items():
        depends = service.get("depends_on", {})
        assert isinstance(depends, dict), f"{name}: depends_on must name conditions"
        for dependency, spec in depends.items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            condition = spec["condition"]
            assert condition in ("service_healthy", "service_completed_successfully"), name
            if condition == "service_healthy":
                assert "healthcheck" in services[dependency], f"{dependency} has no healthcheck"
            else:
                assert services[dependency].get("restart") == "no", f"{dependency} is one-shot"


def test_service_containers_start_after_migrations_and_temporal_setup(
    services: dict[str, Any],
) -> None:
    for name in ("worker", "api"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["temporal-setup"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["depends_on"]["postgresql"]["condition"] == "service_healthy"
    namespace = services["temporal-setup"]["depends_on"]["temporal-namespace"]
    assert namespace["condition"] == "service_completed_successfully"
    assert services["temporal"]["environment"]["DB"] == "postgres12"


def test_our_services_run_real_nearmiss_subcommands(services: dict[str, Any]) -> None:
    commands = set(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'ENTRYPOINT ["nearmiss"]' in dockerfile
    assert re.search(r"^USER (?!root)\S+", dockerfile, re.MULTILINE), "image must not run as root"
    for name, subcommand in OURS.items():
        service = services[name]
        assert service["build"] == ".", name
        assert service["command"][0] == subcommand, name
        assert subcommand in commands, subcommand


def test_nearmiss_variables_are_settings_and_point_at_the_stack(services: dict[str, Any]) -> None:
    fields = set(Settings.model_fields)
    for name, service in services.items():
        for key in _environment(service):
            if key.startswith("NEARMISS_"):
                assert key.removeprefix("NEARMISS_").lower() in fields, f"{name}: {key}"
    for name in OURS:
        env = _environment(services[name])
        assert env["NEARMISS_ENV"] == "production"
        assert env["NEARMISS_DATABASE_URL"].startswith("postgresql+asyncpg://")
        assert "@postgresql:5432/" in env["NEARMISS_DATABASE_URL"]
        assert env["NEARMISS_TEMPORAL_ADDRESS"] == "temporal:7233"
    assert _environment(services["api"])["NEARMISS_API_HOST"] == "0.0.0.0"


def test_api_port_and_health(services: dict[str, Any]) -> None:
    api = services["api"]
    port = _environment(api)["NEARMISS_API_PORT"]
    assert f"{port}:{port}" in api["ports"]
    assert any("/health" in part for part in api["healthcheck"]["test"])
    assert services["temporal-ui"]["ports"] == ["8233:8080"]
    codec = _environment(services["temporal-ui"])["TEMPORAL_CODEC_ENDPOINT"]
    assert codec.endswith(":8000}/codec")


def test_web_ui_signs_in_and_passes_the_access_token_to_the_codec(
    services: dict[str, Any],
) -> None:
    ui = _environment(services["temporal-ui"])
    assert ui["TEMPORAL_CODEC_PASS_ACCESS_TOKEN"] == "true"
    assert ui["TEMPORAL_AUTH_ENABLED"] == "true"  # no signed-in user, no token to pass
    assert REQUIRED_VARIABLE.fullmatch(ui["TEMPORAL_AUTH_PROVIDER_URL"])
    assert ui["TEMPORAL_AUTH_CALLBACK_URL"].endswith("/auth/sso/callback")
    api = _environment(services["api"])
    # The API verifies the passed token against the same issuer, and lets the UI's origin call.
    assert "NEARMISS_OIDC_ISSUER" in ui["TEMPORAL_AUTH_PROVIDER_URL"]
    assert api["NEARMISS_OIDC_ISSUER"] == ui["TEMPORAL_AUTH_PROVIDER_URL"]
    assert api["NEARMISS_UI_ORIGIN"]


def test_no_secret_is_hard_coded(services: dict[str, Any]) -> None:
    for name, service in services.items():
        for key, value in _environment(service).items():
            if key.endswith(SECRET_SUFFIXES) or "://" in value and "@" in value:
                assert REQUIRED_VARIABLE.search(value), f"{name}: {key} must come from ${{VAR:?}}"


def test_makefile_has_the_two_commands_and_ci_calls_make_test() -> None:
    makefile = (ROOT / "Makefile").read_text()
    for target in ("run", "test", "lint", "bench", "browsers", "clean"):
        assert re.search(rf"^{target}:", makefile, re.MULTILINE), target
    ci = ROOT / ".ci" / "run"
    assert os.access(ci, os.X_OK)
    assert "make test" in ci.read_text()
    assert "NEARMISS_TEST_POSTGRES_URL" in ci.read_text()


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_with_demo_starts_nearmiss_dev_with_demo() -> None:
    dry = subprocess.run(
        ["make", "-n", "-C", str(ROOT), "run", "DEMO=1"], capture_output=True, text=True, check=True
    )
    assert re.search(r"/nearmiss dev --demo$", dry.stdout, re.MULTILINE)
    dry = subprocess.run(
        ["make", "-n", "-C", str(ROOT), "test", "PYTEST_ARGS=-k x"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert re.search(r"/pytest .*-k x$", dry.stdout, re.MULTILINE)


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_ci_runs_the_dated_tests_again_as_of_a_risky_start() -> None:
    assert "make test-dated" in (ROOT / ".ci" / "run").read_text()
    dry = subprocess.run(
        ["make", "-n", "-C", str(ROOT), "test-dated"], capture_output=True, text=True, check=True
    )
    start = r"NEARMISS_TEST_START=--12-22T16:30:00\+00:00 \S*/pytest .*-m dated"
    assert re.search(start, dry.stdout, re.MULTILINE), dry.stdout


def test_readme_documents_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme


def test_dev_server_gets_search_attributes_data_dir_and_codec(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, temporal_address="127.0.0.1:17233", api_port=18000)
    command = temporal_command(settings)
    assert command[1:3] == ["server", "start-dev"]
    for name, kind in SEARCH_ATTRIBUTES.items():
        assert f"{name}={kind}" in command
    pairs = dict(zip(command[3::1], command[4::1], strict=False))
    assert pairs["--db-filename"] == str(tmp_path / "temporal.db")
    assert pairs["--port"] == "17233" and pairs["--ip"] == "127.0.0.1"
    assert pairs["--ui-codec-endpoint"] == "http://127.0.0.1:18000/codec"


def test_ci_runs_lint_before_the_suite() -> None:
    """A lint failure on main once went unseen for a session because CI ran only the tests."""
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make lint" in ci and ci.index("make lint") < ci.index("\n  make test\n")
