"""Table models: the shared database schema, one module per owning service.

Services share one database (SQLite in embedded mode, PostgreSQL when distributed) and each writes only its own
tables; reading another service's tables is allowed and is how the API and the notifier build their pages and
e-mails. Wire models (events) live in `clausewatch_shared.events`, apart from these.
"""

from clausewatch_shared.models.analysis import ChangeAssessment, ProvisionAssessment
from clausewatch_shared.models.catalogue import CaptureFailure, Document, FetchSlot, Platform, Snapshot
from clausewatch_shared.models.notify import (
    Delivery,
    DeliveryAttempt,
    DigestRun,
    SignupConfirmation,
    Subscriber,
    Subscription,
    WebhookEndpoint,
)
from clausewatch_shared.models.versions import Change, ChangeSet, Provision, Version

__all__ = [
    "CaptureFailure",
    "Change",
    "ChangeAssessment",
    "ChangeSet",
    "Delivery",
    "DeliveryAttempt",
    "DigestRun",
    "Document",
    "FetchSlot",
    "Platform",
    "Provision",
    "ProvisionAssessment",
    "SignupConfirmation",
    "Snapshot",
    "Subscriber",
    "Subscription",
    "Version",
    "WebhookEndpoint",
]
