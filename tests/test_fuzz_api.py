"""schemathesis against the running API (`nearmiss api` and `nearmiss worker` as processes, the
Temporal dev server, a SQLite file), authenticated as a person holding every role, with a fixed
seed and a bounded number of examples per operation: no server error, and every response has a
documented status code, content type and body schema."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from domain.roles import Role
from store.db import make_engine, make_sessionmaker
from tests.factories import load, staff_rows
from tests.fault_support import Service, service_env, services, wait_healthy
from tests.fixtures.api import bearer
from tests.fixtures.database import create_schema_tables, sqlite_file_url
from tests.fixtures.keys import TEST_SIGNING_KEY
from tests.fixtures.mail import free_port

EXAMPLES_PER_OPERATION = 12
CONFORMANCE = [status_code_conformance, content_type_conformance, response_schema_conformance]
pytestmark = pytest.mark.devserver


@pytest.fixture(scope="module")
async def running_api(dev_env: Any, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """The API and a worker as processes on a fresh database; yields the API's base URL."""
    tmp = tmp_path_factory.mktemp("fuzz")
    url = sqlite_file_url(tmp / "nearmiss.db")
    await create_schema_tables(url)
    engine = make_engine(url)
    await load(
        make_sessionmaker(engine, TEST_SIGNING_KEY),
        "staff-directory",
        staff_rows({"E-FUZZ": list(Role)}),
    )
    await engine.dispose()
    port, queue = free_port(), f"fuzz-{uuid.uuid4().hex}"
    temporal = dev_env.client.service_client.config.target_host
    env = service_env(url, temporal, queue, NEARMISS_SMTP_PORT=str(free_port()))
    api_env = {**env, "NEARMISS_API_HOST": "127.0.0.1", "NEARMISS_API_PORT": str(port)}
    base = f"http://127.0.0.1:{port}"
    worker = Service("worker", env, tmp / "worker.log")
    api = Service("api", api_env, tmp / "api.log")
    async with services(worker, api):
        await wait_healthy(base)
        yield base


@dataclass
class Findings:
    """What the fuzzing found: requests sent, and failures per kind as ``operation: text``."""

    requests: int = 0
    server_errors: set[str] = field(default_factory=set)
    nonconforming: set[str] = field(default_factory=set)


def _failure(label: str, exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return f"{label}: {' | '.join(lines[:4])}"[:300]


def _fuzz(operation: Any, base: str, found: Findings) -> None:
    """Send the operation's bounded, seeded examples; record every failing check."""

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,  # the same examples every run
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
    )
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        response = case.call(base_url=base, headers=bearer("E-FUZZ"), timeout=30)
        found.requests += 1
        for checks, failures in (
            ([not_a_server_error], found.server_errors),
            (CONFORMANCE, found.nonconforming),
        ):
            try:
                case.validate_response(response, checks=checks)
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - a failure group
                failures.update(_failure(operation.label, e) for e in _leaves(exc))

    run()


def _leaves(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for inner in exc.exceptions for leaf in _leaves(inner)]
    return [exc]


@pytest.fixture(scope="module")
def findings(running_api: str) -> Findings:
    """Every operation fuzzed once for the module's tests."""
    schema = schemathesis.openapi.from_url(f"{running_api}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    found = Findings()
    for operation in operations:
        _fuzz(operation, running_api, found)
    print(
        f"\nschemathesis: {len(operations)} operations, {found.requests} requests (at most "
        f"{EXAMPLES_PER_OPERATION} per operation, fixed seed, authenticated): "
        f"{len(found.server_errors)} server errors, {len(found.nonconforming)} distinct "
        f"responses breaking the documented schema"
    )
    for line in sorted(found.nonconforming):
        print(f"  {line}")
    return found


def test_no_server_error(findings: Findings) -> None:
    assert not findings.server_errors, "\n".join(sorted(findings.server_errors))


def test_every_response_conforms_to_the_documented_schema(findings: Findings) -> None:
    assert not findings.nonconforming, "\n".join(sorted(findings.nonconforming))
