"""The notifier's own metrics, beside the shared ones (`clausewatch_deliveries_total` lives in clausewatch_shared)."""

from __future__ import annotations

from prometheus_client import Histogram

ALERT_LATENCY = Histogram(
    "clausewatch_alert_latency_seconds",
    "From planning a same-day alert (ChangeAssessed handled) to its channel accepting it, by channel.",
    ["channel"],
    buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600, 14400, 43200),
)
