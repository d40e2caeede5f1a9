"""Governance packs: kinds, who publishes them, and which example's cases they make visible."""

from __future__ import annotations

from dataclasses import dataclass

from domain import names
from domain.roles import Role


@dataclass(frozen=True)
class PackSpec:
    kind: str
    title: str
    example: str
    publisher: Role
    period_format: str  # human description, e.g. ISO week 2026-W48


PACKS: dict[str, PackSpec] = {
    spec.kind: spec
    for spec in (
        PackSpec(
            names.PACK_WEEKLY,
            "Weekly workforce sustainability review pack",
            names.EXAMPLE_ACKNOWLEDGMENT,
            Role.DIRECTOR_SAFETY_GOVERNANCE_WORKFORCE_EXPERIENCE,
            "ISO week, e.g. 2026-W48",
        ),
        PackSpec(
            names.PACK_FORTNIGHTLY,
            "Fortnightly workforce governance summary",
            names.EXAMPLE_LEARNING,
            Role.EXECUTIVE_DIRECTOR_QUALITY_LEARNING_WORKFORCE_SUPPORT,
            "the cycle's start date, e.g. 2026-11-16",
        ),
        PackSpec(
            names.PACK_MONTHLY,
            "Monthly board workforce experience pack",
            names.EXAMPLE_CREDIBILITY,
            Role.DIRECTOR_WORKFORCE_EXPERIENCE_SAFETY_LEARNING,
            "YYYY-MM",
        ),
    )
}

# Case stages at which a case waits for (or already has) pack visibility.
AWAITING_VISIBILITY_STAGES = ("pathway-acceptance", "awaiting-visibility")
