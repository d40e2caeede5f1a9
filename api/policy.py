"""Who may use each API route, page and step: one declared table (``RULES``), enforced from it.

A rule admits a caller by **role** (any of ``roles``) or by **relationship** to the thing asked
about: the named owner of this case's pathway, the reporting worker of this case, or the person
themselves. ``api.authz`` applies every rule in one order (authenticate → the route admits the
caller's roles or a relationship they could hold, else 403 → the case exists and the caller may
see it, else 404 → the role or relationship for this case, else 403 → the body), and the README
prints the table (``python -m api.policy``; a test keeps them equal).

Decisions (issues 12 and 14): governance roles run and read the governance work. The
**inspector** reads the evidence — registers and their verification, reviews, packs, trends — but
not live cases or escalations. The **administrator** loads feeds, starts reviews and reassigns an
absent owner's pathway, and reads only the pathways waiting on an absent owner; no case content.
The **operator** (who watches the Temporal UI) reads health (their operations page: figures by
codes only, as ``/metrics``) and, for the codec, payloads; nothing else. A named pathway owner
without a governance role sees and acts on their own pathway only.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from enum import StrEnum

from domain.examples import STEP_SPECS
from domain.packs import PACKS
from domain.reviews import REVIEWS
from domain.roles import CODEC_ROLES, GOVERNANCE_ROLES, Role
from domain.steps import StepSpec


class Relationship(StrEnum):
    """A person's tie to what they ask about, which admits them without a role."""

    NAMED_OWNER = "named owner of this pathway"
    REPORTING_WORKER = "reporting worker of this case"
    SELF = "the person themselves"  # their own forms, pages and identity


@dataclass(frozen=True)
class Rule:
    """``method path`` may be used by ``roles`` or ``relationships``; ``public``: no sign-in."""

    method: str
    path: str
    roles: frozenset[Role] = frozenset()
    relationships: frozenset[Relationship] = frozenset()
    public: bool = False
    note: str = ""

    @property
    def case_scoped(self) -> bool:
        """The path names a case, whose existence and visibility are checked before the body."""
        return "{case_id}" in self.path


NONE: frozenset[Role] = frozenset()
GOVERNANCE = GOVERNANCE_ROLES
EVIDENCE_READERS = GOVERNANCE_ROLES | {Role.INSPECTOR}
ADMIN = frozenset({Role.ADMINISTRATOR})
OPERATOR = frozenset({Role.OPERATOR})
OWNER = frozenset({Relationship.NAMED_OWNER})
SELF = frozenset({Relationship.SELF})
CASE_VIEWERS = frozenset({Relationship.NAMED_OWNER, Relationship.REPORTING_WORKER})
REVIEWERS = frozenset(spec.role for spec in REVIEWS.values())
PUBLISHERS = frozenset(spec.publisher for spec in PACKS.values())
STEP_ROLES = frozenset(spec.role for spec in STEP_SPECS.values() if spec.role)
REPORTER = frozenset({Relationship.REPORTING_WORKER})


def _pair(
    path: str, roles: frozenset[Role], ties: frozenset[Relationship], note: str
) -> list[Rule]:
    """A page's form (GET) and its submission (POST), admitted alike."""
    return [Rule(method, path, roles, ties, note=note) for method in ("GET", "POST")]


def _public(method: str, path: str, note: str) -> Rule:
    return Rule(method, path, public=True, note=note)


def _step_rule(spec: StepSpec) -> Rule:
    roles = frozenset({spec.role}) if spec.role else NONE
    relationships: frozenset[Relationship] = frozenset() if spec.role else OWNER
    note = f"step {spec.slug}; recorded in the {spec.register}"
    return Rule("POST", f"/cases/{{case_id}}/steps/{spec.slug}", roles, relationships, note=note)


API_RULES: list[Rule] = [
    _public("GET", "/health", "liveness and dependencies"),
    _public("GET", "/health/live", "the process answers"),
    _public("GET", "/health/ready", "database, Temporal and a polling worker"),
    _public("GET", "/openapi.json", "the API description"),
    _public("GET", "/docs", "Swagger UI (served by the service)"),
    _public("GET", "/docs/oauth2-redirect", "Swagger UI's OAuth2 redirect"),
    _public("GET", "/redoc", "ReDoc (served by the service)"),
    _public("GET", "/favicon.ico", "the service's icon"),
    _public("GET", "/metrics", "Prometheus; serve on the internal network only"),
    _public(
        "GET",
        "/dashboard",
        "a static page; its data come from authorised calls (a signed-in person's session; "
        "a refusal page for roles it does not serve)",
    ),
    _public("GET", "/dashboard/{script}", "the dashboard's scripts"),
    Rule("POST", "/codec/encode", CODEC_ROLES, note="development: loopback without a token"),
    Rule("POST", "/codec/decode", CODEC_ROLES, note="development: loopback without a token"),
    Rule("GET", "/me", relationships=SELF, note="who the token belongs to"),
    Rule("GET", "/me/work", relationships=SELF, note="what they owe: counts, a page, urgent first"),
    Rule("POST", "/sources/{feed}/records", ADMIN, note="load a feed batch"),
    Rule(
        "POST",
        "/reviews/{example}/{period}",
        ADMIN | REVIEWERS,
        note="start, find or re-run a review: the administrator or the example's step-1 role",
    ),
    Rule("GET", "/reviews/{review_id}", EVIDENCE_READERS, note="a review and its items"),
    Rule("GET", "/policies/{example}", EVIDENCE_READERS | ADMIN, note="thresholds, versions"),
    Rule("PUT", "/policies/{example}", ADMIN, note="save a new version of the thresholds"),
    Rule("POST", "/reviews/{review_id}/reviewed", REVIEWERS, note="the example's step-1 role"),
    Rule("GET", "/cases", GOVERNANCE, note="the case list"),
    Rule(
        "GET",
        "/cases/{case_id}",
        GOVERNANCE,
        CASE_VIEWERS,
        note="full view; the reporting worker sees a minimal view of their own case",
    ),
    Rule("POST", "/cases/{case_id}/documents/{document}/open", GOVERNANCE, note="a prerequisite"),
    *(_step_rule(spec) for spec in STEP_SPECS.values()),
    Rule("POST", "/cases/{case_id}/steps/{step}", GOVERNANCE, note="any other step: 404"),
    Rule("POST", "/cases/{case_id}/pathway/accept", relationships=OWNER, note="within 1 day"),
    Rule("POST", "/cases/{case_id}/pathway/actions/{action}/done", relationships=OWNER),
    Rule("POST", "/cases/{case_id}/pathway/owner", ADMIN, note="reassign an absent owner's"),
    Rule("GET", "/pathways/absent-owners", ADMIN, note="pathways whose owner is absent"),
    Rule("GET", "/packs/{kind}/{period}", EVIDENCE_READERS, note="json, csv, html or pdf"),
    Rule("POST", "/packs/{kind}/{period}/publish", PUBLISHERS, note="the kind's director"),
    Rule("GET", "/escalations", GOVERNANCE, note="open breaches, a page at a time"),
    Rule("POST", "/forms/speaking-up-confidence", relationships=SELF, note="as themselves"),
    Rule(
        "POST",
        "/forms/employee-confirmation",
        relationships=REPORTER,
        note="for a case they reported (named in the body)",
    ),
    Rule("GET", "/registers", EVIDENCE_READERS, note="registers and their heads"),
    Rule("GET", "/registers/public-key", EVIDENCE_READERS, note="the signing key"),
    Rule("POST", "/registers/erasures", ADMIN, note="erase a person's data on request"),
    Rule("GET", "/registers/{name}/entries", EVIDENCE_READERS),
    Rule("GET", "/registers/{name}/verify", EVIDENCE_READERS),
    Rule(
        "POST",
        "/registers/{name}/verifications",
        EVIDENCE_READERS,
        note="starts a full one (a workflow), recorded",
    ),  # fmt: skip
    Rule("GET", "/registers/{name}/verifications/current", EVIDENCE_READERS, note="running?"),
    *(
        Rule("GET", f"/analytics/{measure}", EVIDENCE_READERS, note="trends")
        for measure in ("acknowledgment", "triage", "learning", "closure", "workforce", "series")
    ),
    Rule("GET", "/evidence", EVIDENCE_READERS, note="the inspection evidence pack"),
]

PAGE_RULES: list[Rule] = [
    _public("GET", "/app/sign-in", "sign-in choices"),
    _public("POST", "/app/sign-in/as", "development on loopback only"),
    _public("GET", "/app/sign-in/oidc", "to the OpenID provider (code flow with PKCE)"),
    _public("GET", "/app/sign-in/oidc/callback", "back from it: current staff only"),
    _public("POST", "/app/sign-out", "end the session (and the provider's, after OIDC)"),
    _public("GET", "/app/signed-out", "back from the provider's sign-out"),
    Rule("GET", "/app", relationships=SELF, note="my work"),
    Rule("GET", "/app/admin/pathways", ADMIN, note="open pathways and owners, vacant roles"),
    Rule("GET", "/app/admin/pathways/{case_id}/owner", ADMIN, note="a pathway's reassign form"),
    Rule("GET", "/app/operations", OPERATOR, note="health, building reviews, breaches: read-only"),
    Rule("POST", "/app/admin/pathways/{case_id}/owner", ADMIN, note="reassign the pathway"),
    Rule("GET", "/app/analytics", EVIDENCE_READERS, note="to the analytics pages: 4 weeks"),
    Rule("GET", "/app/reviews", EVIDENCE_READERS, note="recent reviews"),
    Rule("GET", "/app/reviews/{review_id}", EVIDENCE_READERS, note="a review, filtered"),
    Rule("POST", "/app/reviews/{review_id}/reviewed", REVIEWERS, note="Mark reviewed"),
    Rule("GET", "/app/my-reports", relationships=SELF, note="the reports I made"),
    *_pair("/app/forms/speaking-up-confidence", NONE, SELF, "as themselves"),
    *_pair("/app/forms/employee-confirmation", NONE, REPORTER, "the mail link; a case I reported"),
    Rule("GET", "/app/forms/receipts/{key}", relationships=SELF, note="my form's receipt"),
    Rule(
        "GET",
        "/app/cases/{case_id}",
        GOVERNANCE,
        CASE_VIEWERS,
        note="the case in words; its reporting worker is sent to My reports",
    ),
    Rule("POST", "/app/cases/{case_id}/documents/{document}/open", GOVERNANCE),
    Rule("GET", "/app/cases/{case_id}/documents/{document}", GOVERNANCE, OWNER),
    Rule("GET", "/app/cases/{case_id}/steps/{step}", GOVERNANCE, OWNER, note="shown to others"),
    Rule(
        "POST",
        "/app/cases/{case_id}/steps/{step}",
        STEP_ROLES,
        OWNER,
        note="the step's role; a pathway's review: its named owner",
    ),
    Rule("GET", "/app/cases/{case_id}/pathway/accept", GOVERNANCE, OWNER),
    Rule("POST", "/app/cases/{case_id}/pathway/accept", relationships=OWNER),
    Rule("GET", "/app/cases/{case_id}/pathway/actions/{action}", GOVERNANCE, OWNER),
    Rule("POST", "/app/cases/{case_id}/pathway/actions/{action}", relationships=OWNER),
    Rule("GET", "/app/cases/{case_id}/receipts/{what}", GOVERNANCE, OWNER, note="after a step"),
    Rule("GET", "/app/packs/{kind}/{period}", EVIDENCE_READERS, note="a pack in words"),
    Rule("GET", "/app/registers", EVIDENCE_READERS, note="registers, new entries verified"),
    Rule("GET", "/app/registers/{register}", EVIDENCE_READERS, note="a register's entries"),
    Rule("POST", "/app/registers/{register}/verify", EVIDENCE_READERS, note="in full"),
    Rule("POST", "/app/packs/{kind}/{period}/publish", PUBLISHERS, note="the kind's director"),
]

RULES: list[Rule] = API_RULES + PAGE_RULES
"""Every route and page; a test checks the app has exactly these."""

_BY_ROUTE: dict[tuple[str, str], Rule] = {(r.method, r.path): r for r in RULES}


def rule_for(method: str, path: str) -> Rule | None:
    """The rule of a route (``path`` as declared, e.g. ``/cases/{case_id}``); None if undeclared."""
    return _BY_ROUTE.get(("GET" if method == "HEAD" else method, path))


def who(rule: Rule) -> str:
    """The rule in words, as the README's table prints it."""
    if rule.public:
        return "anyone (no sign-in)"
    parts = [f"`{role.value}`" for role in sorted(rule.roles)]
    if rule.roles == GOVERNANCE_ROLES | {Role.INSPECTOR}:
        parts = ["governance roles", "`inspector`"]
    elif rule.roles == GOVERNANCE_ROLES:
        parts = ["governance roles"]
    elif rule.roles == CODEC_ROLES:
        parts = ["governance roles", "`administrator`", "`inspector`", "`operator`"]
    parts += [relationship.value for relationship in sorted(rule.relationships)]
    return ", ".join(parts)


def markdown_table() -> str:
    """The policy as the README's Markdown table."""
    lines = ["| method and path | who | note |", "| --- | --- | --- |"]
    for rule in RULES:
        lines.append(f"| `{rule.method} {rule.path}` | {who(rule)} | {rule.note} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(markdown_table())
