"""docker-compose.yml as a production-like stack: Temporal's schema by its admin tools (not the
auto-setup image), health checks everywhere, Prometheus and Grafana wired to what the service
serves; and Debian's docker-compose 1.29 accepts the file (`docker-compose config`)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from worker.registry import GRACEFUL_STOP

ROOT = Path(__file__).resolve().parent.parent
OPS = ROOT / "ops"
REQUIRED_ENV = {
    "POSTGRES_PASSWORD": "pw", "NEARMISS_TOKEN_SECRET": "s" * 40,
    "NEARMISS_ENCRYPTION_KEY": "a2V5", "NEARMISS_SIGNING_KEY": "c2lnbg==",
    "NEARMISS_OIDC_ISSUER": "https://idp.example.org",
    "NEARMISS_OIDC_JWKS_URL": "https://idp.example.org/jwks", "TEMPORAL_UI_CLIENT_ID": "ui",
    "TEMPORAL_UI_CLIENT_SECRET": "secret", "GRAFANA_ADMIN_PASSWORD": "admin-pw",
}  # fmt: skip


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    return compose["services"]


def _docker_compose(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.fail("docker-compose is required: run `make ops-tools` (Debian's docker-compose)")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("NEARMISS_", "POSTGRES_"))}
    return subprocess.run(
        [binary, "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        env={**clean, **env}, capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip


def test_debian_docker_compose_accepts_the_file(compose: dict[str, Any]) -> None:
    assert "name" not in compose  # docker-compose 1.29 rejects a top-level name
    done = _docker_compose(REQUIRED_ENV)
    assert done.returncode == 0, done.stderr


def test_a_missing_secret_stops_the_stack() -> None:
    without = {k: v for k, v in REQUIRED_ENV.items() if k != "NEARMISS_ENCRYPTION_KEY"}
    done = _docker_compose(without)
    assert done.returncode != 0 and "NEARMISS_ENCRYPTION_KEY" in done.stderr


def test_temporal_schema_is_set_up_by_admin_tools_not_auto_setup(services: dict[str, Any]) -> None:
    images = {name: service.get("image", "") for name, service in services.items()}
    assert not any("auto-setup" in image for image in images.values())
    assert images["temporal"].startswith("temporalio/server:")
    assert images["temporal-schema"].startswith("temporalio/admin-tools:")
    schema = services["temporal"]["depends_on"]["temporal-schema"]
    assert schema["condition"] == "service_completed_successfully"
    script = (OPS / "temporal" / "setup-schema.sh").read_text()
    assert "setup-schema -v 0.0" in script and "update-schema -d" in script
    assert "postgresql/v12/temporal/versioned" in script
    assert "postgresql/v12/visibility/versioned" in script
    created = (OPS / "postgres" / "init-temporal.sql").read_text()
    env = services["temporal"]["environment"]
    for database in (env["DBNAME"], env["VISIBILITY_DBNAME"]):
        assert f"CREATE DATABASE {database};" in created
    for path in ("temporal/setup-schema.sh", "temporal/setup-namespace.sh"):
        assert subprocess.run(["sh", "-n", str(OPS / path)]).returncode == 0, path


def test_every_long_running_service_has_a_health_check(services: dict[str, Any]) -> None:
    for name, service in services.items():
        if service.get("restart") != "no":
            assert "healthcheck" in service, f"{name} has no health check"


def _target_port(job: str) -> str:
    config = yaml.safe_load((OPS / "prometheus" / "prometheus.yml").read_text())
    [scrape] = [s for s in config["scrape_configs"] if s["job_name"] == job]
    [target] = scrape["static_configs"][0]["targets"]
    return str(target.rsplit(":", 1)[1])


def test_prometheus_scrapes_what_the_service_serves(services: dict[str, Any]) -> None:
    worker_env = services["worker"]["environment"]
    worker_port = worker_env["NEARMISS_WORKER_METRICS_ADDRESS"].rsplit(":", 1)[1]
    assert _target_port("nearmiss-worker") == worker_port
    assert f"127.0.0.1:{worker_port}/metrics" in " ".join(services["worker"]["healthcheck"]["test"])
    assert _target_port("nearmiss-api") == services["api"]["environment"]["NEARMISS_API_PORT"]
    assert (
        _target_port("temporal-server")
        in services["temporal"]["environment"]["PROMETHEUS_ENDPOINT"]
    )
    mounts = services["prometheus"]["volumes"]
    assert "./ops/prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro" in mounts
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail("promtool is required: run `make ops-tools`")
    done = subprocess.run(
        [promtool, "check", "config", str(OPS / "prometheus" / "prometheus.yml")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_grafana_provisions_both_dashboards_on_the_prometheus_datasource(
    services: dict[str, Any],
) -> None:
    provisioning = OPS / "grafana" / "provisioning"
    [source] = yaml.safe_load((provisioning / "datasources" / "prometheus.yml").read_text())[
        "datasources"
    ]
    assert source["url"] == "http://prometheus:9090"
    providers = yaml.safe_load((provisioning / "dashboards" / "dashboards.yml").read_text())
    paths = {p["options"]["path"] for p in providers["providers"]}
    mounted = {v.split(":")[1] for v in services["grafana"]["volumes"]}
    assert paths <= mounted
    assert "temporal-sdk.json" in " ".join(services["grafana-dashboards"]["command"])
    dashboard = json.loads(
        (OPS / "grafana" / "dashboards" / "nearmiss-governance.json").read_text()
    )
    for panel in dashboard["panels"]:
        if panel["type"] != "row":
            assert panel["datasource"]["uid"] == source["uid"], panel["title"]
            assert panel["targets"] and all(t["expr"] for t in panel["targets"]), panel["title"]


def _seconds(duration: str) -> float:
    """A compose duration such as ``30s`` or ``1m30s`` in seconds."""
    total, number = 0.0, ""
    for char in duration:
        if char.isdigit() or char == ".":
            number += char
        else:
            total += float(number) * {"h": 3600, "m": 60, "s": 1}[char]
            number = ""
    return total


def test_the_worker_is_given_time_to_stop_gracefully(services: dict[str, Any]) -> None:
    """Docker kills a container 10 s after SIGTERM unless told otherwise: the worker's grace
    for running activities (GRACEFUL_STOP) and their cancellation after it must fit, or an
    activity still running is killed unreported and waits out its start-to-close timeout."""
    grace = _seconds(services["worker"].get("stop_grace_period", "10s"))
    assert grace >= GRACEFUL_STOP.total_seconds() + 15
