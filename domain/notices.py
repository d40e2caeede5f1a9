"""The words of the service's mails: "this is now yours", escalations, confirmation requests.

Pure text: every instant in the provider's local time ("Mon 7 Dec, 17:00"), every link to the
page where the action is done (``domain.links``), escalation levels said in words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from domain.cases import (
    EscalationRequest,
    ObligationNotice,
    PathwayNotice,
    ReassignmentNotice,
)
from domain.links import confirmation_path, link, obligation_path
from domain.mail_words import about
from domain.roles import ROLE_NAMES

SIGN_IN_NOTE = "If you are not signed in, you will be asked to sign in first and then taken there."


def local_time(instant: datetime, tz: str) -> str:
    """An instant as the provider reads it: "Mon 7 Dec, 17:00"."""
    local = instant.astimezone(ZoneInfo(tz))
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M}"


def opened_subject(notice: ObligationNotice, reference: str | None = None) -> str:
    """Subject of the mail sent when an obligation opens (``reference``: the report an
    example-3 case closed, named with it)."""
    return f"This is now yours: {notice.title} ({about(notice.subject, reference)})"


def opened_body(
    notice: ObligationNotice, name: str, public_url: str, tz: str, reference: str | None = None
) -> str:
    """Body of the mail sent when an obligation opens, with the link to its page."""
    who = "you, as its named owner" if notice.assignee else "your role"
    page = link(public_url, obligation_path(notice.subject, notice.obligation))
    return (
        f"Dear {name},\n\n{notice.title} for {about(notice.subject, reference)} is now owed "
        f"by {who}.\n"
        f"Due: {local_time(notice.deadline, tz)} ({tz} time).\n"
        f"If it is not done by then it is recorded as a breach and escalated.\n\n"
        f"Do it here: {page}\n{SIGN_IN_NOTE}\n"
    )


def pathway_subject(notice: PathwayNotice, reference: str | None = None) -> str:
    """Subject of the one mail to a pathway's owner at its authorization (mail filters keep
    "This is now yours" first)."""
    return f"This is now yours: the {notice.pathway} ({about(notice.subject, reference)})"


def pathway_body(
    notice: PathwayNotice, name: str, public_url: str, tz: str, reference: str | None = None
) -> str:
    """Body of that mail: each item (acceptance, actions, a review) with its deadline in the
    provider's local time and the link to the page where it is done."""
    items = "".join(
        f"- {item.title}, due {local_time(item.deadline, tz)}\n"
        f"  Do it here: {link(public_url, obligation_path(item.subject, item.obligation))}\n"
        for item in notice.items
    )
    return (
        f"Dear {name},\n\nThe {notice.pathway} for {about(notice.subject, reference)} is now "
        f"owed by you, as its named owner: accept it first, then do each action.\n"
        f"Deadlines are in {tz} time. Anything not done by its deadline is recorded as a breach "
        f"and escalated.\n\n{items}\n{SIGN_IN_NOTE}\n"
    )


def escalation_words(level: int) -> str:
    """A level as the pages say it: "overdue — escalated to the director, reminder 2"."""
    if level <= 1:
        return "overdue — reminder 1 to whoever owes it"
    if level == 2:
        return "overdue — escalated to the director, reminder 2"
    return f"overdue — escalated to the board, reminder {level}"


ESCALATION_SUBJECT_PREFIX = "Overdue"  # every escalation mail's subject starts so (mail filters)


def breach_subject(request: EscalationRequest, reference: str | None = None) -> str:
    """Subject of an escalation mail in plain words, what happened first: "Overdue, now with
    the director (reminder 2): Triage-failure attribution (near miss NM-1)"."""
    level = request.level
    if level <= 1:
        where = "reminder 1"
    elif level == 2:
        where = "now with the director (reminder 2)"
    else:
        where = f"now with the board (reminder {level})"
    case = about(request.case_id, reference)
    return f"{ESCALATION_SUBJECT_PREFIX}, {where}: {request.title} ({case})"


def breach_body(
    request: EscalationRequest, public_url: str, tz: str, reference: str | None = None
) -> str:
    """Body of an escalation mail, with the link to the page where the step is done."""
    page = link(public_url, obligation_path(request.case_id, request.obligation))
    case = about(request.case_id, reference)
    return (
        f"{request.title} for {case} was due {local_time(request.deadline, tz)} "
        f"({tz} time) and is not done.\n"
        f"It is {escalation_words(request.level)} (recorded as a breach).\n"
        f"Nothing has been completed or skipped automatically.\n\n"
        f"Do it here: {page}\n{SIGN_IN_NOTE}\n"
    )


def confirmation_link(public_url: str, case_ref: str) -> str:
    """The link a worker's confirmation request carries."""
    return link(public_url, confirmation_path(case_ref))


def confirmation_subject(reference: str) -> str:
    """Subject of the request to a closed case's reporting worker to confirm it is resolved."""
    return f"Near miss {reference}: is it resolved for you?"


def reconfirmation_subject(reference: str) -> str:
    """Subject of asking a worker again while their report's closure is repaired."""
    return f"Near miss {reference}: is it resolved for you now?"


def reconfirmation_body(reference: str, name: str, page: str) -> str:
    """That request's body, to the worker NAME, with the link to the form."""
    return (
        f"Dear {name},\n\nWe are repairing how the near miss you reported ({reference}) was "
        f"closed.\nPlease tell us whether it feels resolved to you now: {page}\n"
    )


def confirmation_body(reference: str, category: str, name: str, page: str) -> str:
    """That request's body, to the worker NAME, with the link to the form."""
    return (
        f"Dear {name},\n\nThe near miss you reported ({reference}) has been closed ({category}).\n"
        f"Please tell us whether it feels resolved to you: {page}\n"
    )


def reassigned_subject(notice: ReassignmentNotice) -> str:
    """Subject of the mails sent when a pathway changes hands."""
    return f"Pathway of near miss {notice.reference} reassigned"


def reassigned_body(
    notice: ReassignmentNotice,
    name: str,
    to_new: bool,
    public_url: str,
    tz: str,
    *,
    names: Mapping[str, str],
    owed: Sequence[tuple[str, str, datetime | None]] = (),
) -> str:
    """The mail to the new owner (each action now theirs with its due time and link) or to the
    previous one (the case's link): people by name (``names``: employee ID → name), the case by
    its report. ``owed``: (obligation key, title, deadline) of what the new owner now owes; the
    notice's titles alone when it is empty."""

    def person(employee_id: str) -> str:
        return names.get(employee_id) or f"someone not in the staff directory ({employee_id})"

    why = f"Reassigned by {person(notice.by)}, administrator. Reason: {notice.reason}"
    case_page = link(public_url, f"/app/cases/{notice.case_id}")
    if not to_new:
        return (
            f"Dear {name},\n\nThe pathway of {about(notice.case_id)} that you owned is now "
            f"owned by {person(notice.new_owner)}; nothing more is owed by you.\n{why}\n\n"
            f"The case, for the record: {case_page}\n{SIGN_IN_NOTE}\n"
        )
    items = [
        f"- {title}, due {local_time(deadline, tz)} ({tz} time)\n"
        f"  Do it here: {link(public_url, obligation_path(notice.case_id, key))}\n"
        if deadline
        else f"- {title}\n  Do it here: {link(public_url, obligation_path(notice.case_id, key))}\n"
        for key, title, deadline in owed
    ] or [f"- {title}\n" for title in notice.owed]
    listed = "".join(items) or "- nothing open just now\n"
    return (
        f"Dear {name},\n\nThe pathway of {about(notice.case_id)} is now yours, reassigned "
        f"from {person(notice.previous_owner)}.\n{why}\n\nNow yours:\n{listed}\n"
        f"The case: {case_page}\n{SIGN_IN_NOTE}\n"
    )


def _role(notice: ObligationNotice) -> str:
    """The role as the spec names it ("Near-Miss Governance Supervisor"), not its slug."""
    role = notice.role
    return ROLE_NAMES.get(role, str(role).replace("_", " ")) if role else "named owner"


def nobody_subject(notice: ObligationNotice, reference: str | None = None) -> str:
    """Subject of the administrators' alert: an obligation opened that nobody can do."""
    who = f"named owner {notice.assignee}" if notice.assignee else f"role {_role(notice)}"
    case = about(notice.subject, reference)
    return f"[Action needed] Nobody active holds the {who} ({case})"


def nobody_body(
    notice: ObligationNotice, name: str, page: str, reference: str | None = None
) -> str:
    """Body of the administrators' alert, with the page where pathways are reassigned."""
    if notice.assignee:
        fix = f"The named owner {notice.assignee} is not active staff: reassign the pathway."
    else:
        fix = (
            f"No active member of staff holds the role {_role(notice)}: name one in the directory."
        )
    return (
        f"Dear {name},\n\n{notice.title} for {about(notice.subject, reference)} has opened, "
        "and nobody can do it.\n"
        f"{fix}\nIts deadline keeps running and escalates as usual.\n\n"
        f"Roles nobody holds and pathways to reassign: {page}\n{SIGN_IN_NOTE}\n"
    )
