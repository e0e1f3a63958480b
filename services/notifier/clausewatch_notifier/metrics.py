"""The notifier's own metrics, beside the shared ones (`clausewatch_deliveries_total` lives in clausewatch_shared)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

ALERT_LATENCY = Histogram(
    "clausewatch_alert_latency_seconds",
    "From planning a same-day alert (ChangeAssessed handled) to its channel accepting it, by channel.",
    ["channel"],
    buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600, 14400, 43200),
)

SIGNUPS = Counter(
    "clausewatch_signups_total",
    "Self-service sign-ups by outcome: queued (a confirmation e-mail), quiet (the address's daily limit), "
    "honeypot (a script filled the field people never see), refused_client / refused_server (429), confirmed, "
    "trial_started, trial_ended.",
    ["outcome"],
)
