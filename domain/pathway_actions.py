"""Each pathway action's title by its slug: the workflows plan actions under these titles, and
pages name a done action by it (an action_done event records only the slug)."""

from __future__ import annotations

from domain.titles import capital

ACTION_TITLES = {
    # Example 1: the acknowledgment-recovery pathway.
    "triage-control-implementation": "Corrected triage-control implementation",
    "worker-communication": "Worker communication",
    "unsafe-condition-correction": "Same-day correction of the unsafe condition",
    "senior-acknowledgment": "Immediate senior acknowledgment to the worker",
    # Example 2: the learning-stabilization pathway.
    "learning-control-implementation": "Corrected learning-control implementation",
    "worker-feedback": "Worker feedback",
    "direct-feedback-all-reporters": "Feedback to all reporters in the domain",
    "controlled-learning-bulletin": "Controlled learning bulletin",
    # Example 3: the closure-repair pathway.
    "final-correction": "Final corrective action",
    "worker-reconnection": "Worker reconnection",
    "follow-up-review": "Follow-up review",
    "senior-contact": "Direct senior safety-learning contact",
    "independent-verification": "Independent verification",
}


def action_title(slug: str) -> str:
    """The action's title ("Worker feedback"); an unknown slug in words."""
    words = slug.replace("-", " ").replace("_", " ").strip()
    return ACTION_TITLES.get(slug) or capital(words)
