"""The staff-directory roles (slugs as SOURCES.md, plus ``operator``: who watches Temporal)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    SAFETY_LEARNING_ASSURANCE_ANALYST = "safety_learning_assurance_analyst"
    NEAR_MISS_GOVERNANCE_SUPERVISOR = "near_miss_governance_supervisor"
    WORKFORCE_RETENTION_SAFETY_CULTURE_MANAGER = "workforce_retention_safety_culture_manager"
    DIRECTOR_SAFETY_GOVERNANCE_WORKFORCE_EXPERIENCE = (
        "director_safety_governance_workforce_experience"
    )
    LEARNING_VISIBILITY_AUDITOR = "learning_visibility_auditor"
    REGIONAL_WORKFORCE_ASSURANCE_MANAGER = "regional_workforce_assurance_manager"
    EXECUTIVE_DIRECTOR_QUALITY_LEARNING_WORKFORCE_SUPPORT = (
        "executive_director_quality_learning_workforce_support"
    )
    WORKFORCE_GOVERNANCE_REVIEWER = "workforce_governance_reviewer"
    WORKFORCE_EXPERIENCE_REPORTING_ANALYST = "workforce_experience_reporting_analyst"
    REPORTING_QUALITY_ASSURANCE_LEAD = "reporting_quality_assurance_lead"
    DIRECTOR_WORKFORCE_EXPERIENCE_SAFETY_LEARNING = "director_workforce_experience_safety_learning"
    BOARD_WORKFORCE_EXPERIENCE_REVIEWER = "board_workforce_experience_reviewer"
    ADMINISTRATOR = "administrator"
    INSPECTOR = "inspector"
    WORKER = "worker"
    OPERATOR = "operator"


GOVERNANCE_ROLES: frozenset[Role] = frozenset(
    r for r in Role if r not in (Role.ADMINISTRATOR, Role.INSPECTOR, Role.WORKER, Role.OPERATOR)
)
"""The twelve roles that run governance steps."""

PATHWAY_OWNER_ROLES: frozenset[Role] = GOVERNANCE_ROLES | {Role.WORKER}
"""Who may own a pathway: staff who do the work (team leads hold the worker role), not the
administrator, inspector or operator (their roles run the service or read it)."""

READ_ROLES: frozenset[Role] = GOVERNANCE_ROLES | {Role.ADMINISTRATOR, Role.INSPECTOR}
"""Roles that may read registers, reviews, cases and packs."""

CODEC_ROLES: frozenset[Role] = READ_ROLES | {Role.OPERATOR}
"""Roles whose token the codec endpoint accepts outside development (payloads are case data)."""


ROLE_NAMES = {
    Role.SAFETY_LEARNING_ASSURANCE_ANALYST: "Safety Learning Assurance Analyst",
    Role.NEAR_MISS_GOVERNANCE_SUPERVISOR: "Near-Miss Governance Supervisor",
    Role.WORKFORCE_RETENTION_SAFETY_CULTURE_MANAGER: "Workforce Retention Safety Culture Manager",
    Role.DIRECTOR_SAFETY_GOVERNANCE_WORKFORCE_EXPERIENCE: (
        "Director of Safety Governance and Workforce Experience"
    ),
    Role.LEARNING_VISIBILITY_AUDITOR: "Learning Visibility Auditor",
    Role.REGIONAL_WORKFORCE_ASSURANCE_MANAGER: "Regional Workforce Assurance Manager",
    Role.EXECUTIVE_DIRECTOR_QUALITY_LEARNING_WORKFORCE_SUPPORT: (
        "Executive Director of Quality Learning and Workforce Support"
    ),
    Role.WORKFORCE_GOVERNANCE_REVIEWER: "Workforce Governance Reviewer",
    Role.WORKFORCE_EXPERIENCE_REPORTING_ANALYST: "Workforce Experience Reporting Analyst",
    Role.REPORTING_QUALITY_ASSURANCE_LEAD: "Reporting Quality Assurance Lead",
    Role.DIRECTOR_WORKFORCE_EXPERIENCE_SAFETY_LEARNING: (
        "Director of Workforce Experience and Safety Learning"
    ),
    Role.BOARD_WORKFORCE_EXPERIENCE_REVIEWER: "Board Workforce Experience Reviewer",
}
"""The twelve governance roles as the spec names them (PRODUCT.md, "The twelve roles")."""
