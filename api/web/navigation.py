"""The page shell's one navigation, built from the signed-in person's roles alone, so it is the
same on every page (the page being shown marked ``aria-current``)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from api.deps import Actor
from api.policy import EVIDENCE_READERS
from domain.roles import GOVERNANCE_ROLES, Role

# Who reports near misses and answers the speaking-up form: frontline workers, and governance
# staff who are employees too; not the inspector, the operator or the administrator alone.
REPORTERS = GOVERNANCE_ROLES | {Role.WORKER}


@dataclass(frozen=True)
class Link:
    href: str
    text: str
    current: bool


def _links(roles: frozenset[Role]) -> list[tuple[str, str]]:
    readers = bool(roles & EVIDENCE_READERS)
    links = [("/app", "My work")]
    if roles & REPORTERS:
        links += [
            ("/app/my-reports", "My reports"),
            ("/app/forms/speaking-up-confidence", "Speaking up"),
        ]
    if readers:
        links += [("/app/reviews", "Reviews"), ("/app/registers", "Registers")]
        links += [("/dashboard", "Dashboard"), ("/app/analytics", "Analytics")]
    if Role.ADMINISTRATOR in roles:
        links.append(("/app/admin/pathways", "Pathways and roles"))
    if Role.OPERATOR in roles:
        links.append(("/app/operations", "Operations"))
    return links


def navigation(request: Request) -> list[Link]:
    """The links this person may follow, the current page's marked (before sign-in, none; on
    a page that never resolved who is signed in, e.g. an unknown address, My work alone)."""
    actor: Actor | None = getattr(request.state, "actor", None)
    roles = frozenset(actor.roles) if actor is not None else frozenset()
    path = request.url.path.rstrip("/") or "/"
    return [
        Link(href, text, path == href or (href != "/app" and path.startswith(href + "/")))
        for href, text in _links(roles)
    ]
