"""What one step submission costs, counted instead of timed (load-independent).

For each accepted ``submit_step`` Update in a case's history: the history events it adds, the
workflow tasks, the activity tasks and the local activities it triggers, up to the next outside
input (the next Update, signal or fired timer). ``python -m bench counts`` prints them for the
committed lifecycle histories of examples 1, 2 and 3 (``tests/histories``), beside the raw
Update of ``bench/steps_wf.py``; ``bench.steps`` adds live database round trips per step.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHandle, WorkflowHistory

from bench.common import Figure
from domain import names
from domain.cases import StepSubmission

HISTORIES = Path(__file__).parent.parent / "tests" / "histories"
CASE_HISTORIES = {
    "1": ["ack-case-full-lifecycle", "ack-case-low-impact"],
    "2": ["learning-case-continue-minuted-close", "learning-case-gate-passed"],
    "3": ["credibility-case-doubtful-repaired", "credibility-case-failed-escalated"],
}
_TASK_EVENTS = {
    EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
}
# Outside input: what starts the next window.
_INPUTS = {
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
    EventType.EVENT_TYPE_TIMER_FIRED,
}


@dataclass(frozen=True)
class StepCount:
    """The follow-on cost of one accepted step (db_round_trips: None when not measured)."""

    label: str
    events: int
    workflow_tasks: int
    activities: int
    local_activities: int
    db_round_trips: int | None = None
    # Events other than the workflow tasks' own (scheduled, started, completed): unlike the
    # number of workflow tasks, this does not depend on how completions happened to group.
    other_events: int = 0

    def row(self) -> str:
        db = "-" if self.db_round_trips is None else str(self.db_round_trips)
        return (
            f"| {self.label} | {self.events} ({self.other_events}) | {self.workflow_tasks} | "
            f"{self.activities} | {self.local_activities} | {db} |"
        )


def count(label: str, events: Sequence[HistoryEvent], db: int | None = None) -> StepCount:
    """The counts of EVENTS (one step's window)."""
    kinds = [e.event_type for e in events]
    return StepCount(
        label=label,
        events=len(events),
        workflow_tasks=kinds.count(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
        activities=kinds.count(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED),
        local_activities=kinds.count(EventType.EVENT_TYPE_MARKER_RECORDED),
        db_round_trips=db,
        other_events=sum(1 for k in kinds if k not in _TASK_EVENTS),
    )


def _window_start(events: Sequence[HistoryEvent], accepted: int) -> int:
    """The index of the workflow task scheduled for the Update accepted at ACCEPTED."""
    i = accepted
    while i > 0 and events[i].event_type != EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
        i -= 1
    return i


def step_windows(events: Sequence[HistoryEvent]) -> Iterator[tuple[int, list[HistoryEvent]]]:
    """(index of the Update's acceptance, its window) for each accepted ``submit_step``."""
    accepted = [
        i
        for i, e in enumerate(events)
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
        and e.workflow_execution_update_accepted_event_attributes.accepted_request.input.name
        == names.UPDATE_SUBMIT_STEP
    ]
    for i in accepted:
        start = _window_start(events, i)
        end = len(events)
        for j in range(i + 1, len(events)):
            if events[j].event_type in _INPUTS:
                end = j
                if events[j].event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
                    end = _window_start(events, j)
                break
        yield i, list(events[start:end])


async def history_counts(converter: Any, name: str) -> list[StepCount]:
    """Per accepted step of the committed history NAME, labelled by its step."""
    history = WorkflowHistory.from_json(name, (HISTORIES / f"{name}.json").read_text())
    events = list(history.events)
    out = []
    for i, window in step_windows(events):
        request = events[i].workflow_execution_update_accepted_event_attributes.accepted_request
        [sub] = await converter.decode(request.input.args.payloads, [StepSubmission])
        out.append(count(f"{name}: {sub.step}", window))
    return out


_ROUND_TRIPS = ("before_cursor_execute", "begin", "commit", "rollback")


class StatementCounter:
    """Database round trips (statements sent) on an engine, from a SQLAlchemy event."""

    def __init__(self) -> None:
        self.statements = 0
        self.by_activity: Counter[str] = Counter()

    def _on_execute(self, *_: Any) -> None:
        self.statements += 1
        self.by_activity[activity.info().activity_type if activity.in_activity() else "-"] += 1

    @contextmanager
    def attached(self, engine: AsyncEngine) -> Iterator[StatementCounter]:
        """Count while attached: each statement, BEGIN, COMMIT and ROLLBACK is one."""
        for name in _ROUND_TRIPS:
            event.listen(engine.sync_engine, name, self._on_execute)
        try:
            yield self
        finally:
            for name in _ROUND_TRIPS:
                event.remove(engine.sync_engine, name, self._on_execute)


async def settled(handle: WorkflowHandle[Any, Any]) -> list[HistoryEvent]:
    """The workflow's history once nothing is pending (no activity, no workflow task) and it has
    stopped growing."""
    last = -1
    for _ in range(600):
        raw = (await handle.describe()).raw_description
        events = [e async for e in handle.fetch_history_events()]
        idle = not raw.pending_activities and not raw.HasField("pending_workflow_task")
        if idle and len(events) == last:
            return events
        last = len(events)
        await asyncio.sleep(0.25)
    raise RuntimeError(f"{handle.id} did not settle")


async def live_count(
    label: str,
    handle: WorkflowHandle[Any, Any],
    submit: Callable[[], Awaitable[Any]],
    counter: StatementCounter,
) -> StepCount:
    """Counts of one SUBMIT on HANDLE's workflow, from settled to settled; the database round
    trips are those COUNTER saw meanwhile (run nothing else on its engine)."""
    before = await settled(handle)
    start = counter.statements
    await submit()
    after = await settled(handle)
    return count(label, after[len(before) :], counter.statements - start)


def table(counts: Sequence[StepCount]) -> str:
    """A Markdown table of COUNTS."""
    head = [
        "| step (history or run) | events (not of workflow tasks) | workflow tasks | activities "
        "| local activities | DB round trips |",
        "|---|---|---|---|---|---|",
    ]
    return "\n".join(head + [c.row() for c in counts])


async def committed_counts() -> list[StepCount]:
    """Per accepted step of the committed lifecycle histories of examples 1, 2 and 3."""
    from infra.temporal import data_converter
    from tests.fixtures.temporal import make_test_settings

    converter = data_converter(make_test_settings())
    out: list[StepCount] = []
    for history_names in CASE_HISTORIES.values():
        for name in history_names:
            out += await history_counts(converter, name)
    return out


async def bench(quick: bool) -> list[Figure]:  # noqa: ARG001 - nothing to shorten
    """``python -m bench counts``: the committed histories' counts per step (no server)."""
    counts = await committed_counts()
    print(table(counts), flush=True)
    return []
