"""Every NATS subject clausewatch uses, versioned in one place.

Subjects are `clausewatch.v<version>.<entity>.<fact>`. A breaking change to an event's schema gets a new version
(`v2`) published beside the old one until every consumer has moved; adding an optional field does not.
"""

from __future__ import annotations

from typing import Final

ROOT: Final = "clausewatch"
VERSION: Final = "v1"
PREFIX: Final = f"{ROOT}.{VERSION}"

# Commands (imperative): work the fetcher is asked to do. Kept in a work-queue stream.
CAPTURE_REQUESTED: Final = f"{PREFIX}.capture.requested"

# Facts (past tense): what happened, kept in the events stream for replay.
SNAPSHOT_CAPTURED: Final = f"{PREFIX}.snapshot.captured"
SNAPSHOT_UNCHANGED: Final = f"{PREFIX}.snapshot.unchanged"
DOCUMENT_INACCESSIBLE: Final = f"{PREFIX}.document.inaccessible"
VERSION_RECORDED: Final = f"{PREFIX}.version.recorded"
CHANGE_DETECTED: Final = f"{PREFIX}.change.detected"
CHANGE_ASSESSED: Final = f"{PREFIX}.change.assessed"
ALERT_DELIVERED: Final = f"{PREFIX}.alert.delivered"
ALERT_FAILED: Final = f"{PREFIX}.alert.failed"

# Dead letters: one subject per consuming service, so an operator sees at a glance who gave up on what.
DEADLETTER_PREFIX: Final = f"{PREFIX}.deadletter"


def deadletter(service: str) -> str:
    """Return the dead-letter subject for a consuming service (`clausewatch.v1.deadletter.differ`)."""
    return f"{DEADLETTER_PREFIX}.{service}"


COMMAND_SUBJECTS: Final = (f"{PREFIX}.capture.>",)
EVENT_SUBJECTS: Final = (
    f"{PREFIX}.snapshot.>",
    f"{PREFIX}.document.>",
    f"{PREFIX}.version.>",
    f"{PREFIX}.change.>",
    f"{PREFIX}.alert.>",
)
DEADLETTER_SUBJECTS: Final = (f"{DEADLETTER_PREFIX}.>",)
