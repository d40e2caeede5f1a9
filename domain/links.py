"""Where, under the web application, each obligation and form is done (the links mails carry).

One place for the paths, so a reminder, an escalation and a "this is now yours" mail all link to
the page where the action is done; after sign-in the person lands on that page.
"""

from __future__ import annotations

from urllib.parse import quote

MARK_REVIEWED = "mark-reviewed"
ACCEPTANCE = "pathway-acceptance"
ACTION_PREFIX = "action:"


def _seg(value: str) -> str:
    return quote(value, safe="")


def obligation_path(subject: str, obligation: str) -> str:
    """The page of OBLIGATION of SUBJECT (a review's ID or a case's ID)."""
    if obligation == MARK_REVIEWED:
        return f"/app/reviews/{_seg(subject)}"
    case = f"/app/cases/{_seg(subject)}"
    if obligation == ACCEPTANCE:
        return f"{case}/pathway/accept"
    if obligation.startswith(ACTION_PREFIX):
        return f"{case}/pathway/actions/{_seg(obligation.removeprefix(ACTION_PREFIX))}"
    return f"{case}/steps/{_seg(obligation.split('#', 1)[0])}"


def confirmation_path(case_ref: str) -> str:
    """The employee confirmation form of CASE_REF (the reporting worker answers there)."""
    return f"/app/forms/employee-confirmation?case_ref={_seg(case_ref)}"


def link(public_url: str, path: str) -> str:
    """An absolute link for a mail: the service's public address and PATH."""
    return public_url.rstrip("/") + path
