"""Governance state in words, shared by every page: roles, stages, escalation and breaches.

Pages never show an escalation "level": level 1 is the first reminder to whoever owes the
obligation, level 2 adds the example's director, level 3 and above the board (the
``domain.steps.escalation_roles`` policy); each level is one more reminder.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from api.errors import FieldError
from api.policy import Relationship
from domain.roles import GOVERNANCE_ROLES, ROLE_NAMES, Role
from domain.steps import EXAMPLE_DIRECTORS
from domain.titles import REVIEW_TITLES as REVIEW_TITLES  # re-exported, as the titles below
from domain.titles import humanize as humanize  # re-exported: every page words codes with it
from domain.titles import lower_first as lower_first  # re-exported: labels inside sentences

EXAMPLE_TITLES = {
    "acknowledgment": "Acknowledgment and triage",
    "learning-visibility": "Learning visibility",
    "closure-credibility": "Closure credibility",
}
EXPOSURE_WORDS = {
    "within_tolerance": "within tolerance",
    "visible_learning_closure": "visible learning closure",
}


# What a case waits for when no person owes anything on it (a stage between obligations).
WAITING = {
    "awaiting-visibility": "the pathway to appear in a published pack; publishing makes it active",
    "awaiting-validation": "its next validation, which opens on its own {days} days after the "
    "pathway became active",
    "active-recovery": "its pathway's actions and its mandatory review by the named owner "
    "(the review's outcome closes it)",
    "active-stabilization": "its pathway's actions, its review by the named owner and then its "
    "validation",
    "active-repair": "its pathway's actions and then its validation",
}


VALIDATION_DAYS = {"learning-visibility": 14, "closure-credibility": 21}


def waiting_words(stage: str | None, example: str, computed: dict[str, Any] | None = None) -> str:
    """What a case at ``stage`` waits for, in words ("" when a step is simply open); the
    validation's days as the case pinned them (its ``activation-baseline``), else the default."""
    pinned = (computed or {}).get("activation-baseline", {}).get("validation_days")
    days = int(pinned) if pinned is not None else VALIDATION_DAYS.get(example, 14)
    return WAITING.get(stage or "", "").format(days=days)


# Each feed as the seed names its system (SOURCES.md's slugs are for senders, not readers).
FEED_WORDS = {
    "incident-platform": "incident and near-miss platform",
    "workforce-reporting-log": "workforce reporting log",
    "manager-response-tracker": "manager response tracker",
    "service-line-governance-register": "service-line governance register",
    "corrective-action-tracker": "corrective-action tracker",
    "learning-bulletin-log": "workforce learning bulletin log",
    "recurrence-analysis-file": "recurrence analysis file",
    "closed-case-register": "closed near-miss reliability register",
    "employee-confirmation-form": "employee confirmation form",
    "reopened-risk-tracker": "reopened-risk tracker",
    "final-action-evidence-library": "final-action evidence library",
    "workforce-concern-register": "workforce concern register",
    "speaking-up-confidence-form": "speaking-up confidence form",
    "staff-directory": "staff directory",
}
_FEED_SLUGS = re.compile("|".join(sorted(map(re.escape, FEED_WORDS), key=len, reverse=True)))


def feed_words(feed: str) -> str:
    """``incident-platform`` → "incident and near-miss platform" (an unknown feed as it is)."""
    return FEED_WORDS.get(feed, feed)


def with_feed_words(text: str) -> str:
    """Every feed slug in ``text`` (a reconciliation reason) replaced by the feed's name."""
    return _FEED_SLUGS.sub(lambda m: FEED_WORDS[m.group(0)], text)


SECONDS_BY = re.compile(r"\(by (\d+) s\)")


def gap_words(text: str) -> str:
    """``(by 600 s)`` in a reconciliation reason → "(by 10 minutes)": a gap a person reads."""

    def words(match: re.Match[str]) -> str:
        seconds = int(match[1])
        hours, rest = divmod(seconds, 3600)
        minutes, secs = divmod(rest, 60)
        parts = [
            f"{n} {unit}{'' if n == 1 else 's'}"
            for n, unit in ((hours, "hour"), (minutes, "minute"), (secs, "second"))
            if n
        ]
        return f"(by {' '.join(parts) or '0 seconds'})"

    return SECONDS_BY.sub(words, text)


def role_label(role: Role | str | None) -> str:
    """A role as the spec names it: "Near-Miss Governance Supervisor", "Director of Safety
    Governance and Workforce Experience"; the other roles in lower case ("administrator");
    None: the named owner."""
    if role is None or role == "":
        return "named owner"
    value = role.value if isinstance(role, Role) else str(role)
    try:
        return ROLE_NAMES.get(Role(value)) or value.replace("_", " ")
    except ValueError:
        return value.replace("_", " ")


def member_label(role: Role | str) -> str:
    """A person's role where they are introduced (sign-in page, "Signed in as …"): as
    ``role_label``, except the ``worker`` role: "staff member". Frontline workers and team leads
    (named pathway owners, no governance role) both hold only it, and the staff directory has no
    job title to tell them apart."""
    value = role.value if isinstance(role, Role) else str(role)
    return "staff member" if value == Role.WORKER.value else role_label(role)


RELATIONSHIP_WORDS = {
    Relationship.NAMED_OWNER: "the pathway's named owner",
    Relationship.REPORTING_WORKER: "the worker who reported it",
}


def governance_titles(roles: Iterable[str]) -> list[str]:
    """The twelve governance job titles when ``roles`` admits them all (else none), in the
    spec's order: what "a governance role" stands for, for a page to list apart."""
    return list(ROLE_NAMES.values()) if GOVERNANCE_ROLES <= {Role(r) for r in roles} else []


def roles_in_words(
    roles: Iterable[str], relationships: Iterable[str] = (), *, short: bool = False
) -> str:
    """Who a page admits, as people read it: "the inspector or a governance role (Safety
    Learning Assurance Analyst, …)"; the twelve governance roles are named once, as a group
    (``short``: "a governance role" alone, the titles listed apart), and a tie to the case
    (``api.policy.Relationship``) last: "… or the pathway's named owner"."""
    wanted = {Role(role) for role in roles}
    governance = GOVERNANCE_ROLES <= wanted
    others = sorted(member_label(r) for r in wanted if not (governance and r in GOVERNANCE_ROLES))
    parts = [f"the {label}" for label in others]
    if governance and short:
        parts.append("a governance role")
    elif governance:
        names = ", ".join(ROLE_NAMES.values())  # in the spec's order, example by example
        parts.append(f"a governance role ({names})")
    ties = {Relationship(tie) for tie in relationships}
    parts += [words for tie, words in RELATIONSHIP_WORDS.items() if tie in ties]
    if len(parts) < 2:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} or {parts[-1]}"


def exposure_words(exposure: str | None) -> str:
    """An exposure or classification in words ("within tolerance", "critical")."""
    if not exposure:
        return "not classified"
    return EXPOSURE_WORDS.get(exposure, exposure.replace("_", " "))


ONE_WORD = re.compile(r"^[a-z]+$")  # a single-word code value ("medium", "recovered")


NONE_RECORDED = "None recorded"
# Keys whose empty list reads "nothing <key>" in a mapping ("Complete: Yes; nothing missing").
EMPTY_AS_NOTHING = frozenset({"missing", "outstanding", "overdue"})


def value_words(text: str) -> str:
    """A code value as a page shows it beside "Yes"/"No": capitalised ("medium" → "Medium",
    ``not_recovered`` → "Not recovered"; the category ``none`` as "None recorded", which does
    not read like a blank); other text (names, references, notes) as it is."""
    if text == "none":
        return NONE_RECORDED
    return humanize(text) if ONE_WORD.match(text) else text


def _entry_words(key: str, value: object) -> str:
    """One entry of a mapping: "Complete: Yes"; an empty list under a participle such as
    ``missing`` as "nothing missing" (not "Missing: None")."""
    if value in ([], ()) and key in EMPTY_AS_NOTHING:
        return f"nothing {key}"
    return f"{humanize(key)}: {yes_no(value)}"


def yes_no(value: object) -> str:
    """Booleans as Yes/No, None as an em dash, lists as words ("Ack over threshold, …"),
    mappings as "Key: value; …" (never a Python repr)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list | tuple):
        return ", ".join(humanize(str(v)) for v in value) or NONE_RECORDED
    if isinstance(value, dict):
        return "; ".join(_entry_words(str(k), v) for k, v in value.items()) or "—"
    return value_words(value) if isinstance(value, str) else str(value)


def field_words(field: str) -> str:
    """An error's field as people read it: "documents.reporting-profile" → "Reporting profile"."""
    prefix, _, document = field.partition(".")
    return humanize(document) if prefix == "documents" and document else field


def readable_errors(errors: Sequence[FieldError]) -> list[FieldError]:
    """Errors for a form's summary with their fields in words (see ``field_words``)."""
    return [FieldError(field=field_words(e["field"]), message=e["message"]) for e in errors]


def escalation_words(
    level: int,
    deadline: datetime | None,
    now: datetime,
    *,
    example: str | None = None,
    role: Role | str | None = None,
) -> str:
    """An open obligation's state: "on time", "overdue — escalated to the director, reminder 2".

    ``role`` is whoever owes it (None: the named owner); ``example`` names the director.
    """
    if level <= 0:
        if deadline is not None and deadline <= now:
            return "overdue — reminder about to be sent"
        return "on time"
    if level == 1:
        return f"overdue — reminder 1 to the {role_label(role)}"
    if level == 2:
        director = EXAMPLE_DIRECTORS.get(example or "")
        who = f"the {role_label(director)}" if director else "the director"
        return f"overdue — escalated to {who}, reminder 2"
    return f"overdue — escalated to the board, reminder {level}"


def escalation_class(level: int, deadline: datetime | None, now: datetime) -> str:
    """CSS class for an obligation's state: "overdue" once its deadline has passed, else ""."""
    overdue = level > 0 or (deadline is not None and deadline <= now)
    return "overdue" if overdue else ""


def breach_words(level: int, role: Role | str | None) -> str:
    """One recorded breach in words: who was told at that level."""
    told = [f"the {role_label(role)}"]
    if level >= 2:
        told.append("the director")
    if level >= 3:
        told.append("the board")
    return f"deadline missed — reminder {level} to {', '.join(told)}"
