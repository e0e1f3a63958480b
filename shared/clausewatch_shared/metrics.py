"""Prometheus metrics shared by every service; each service adds its own beside these."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

EVENTS_HANDLED = Counter(
    "clausewatch_events_handled_total",
    "Messages a service finished handling, by outcome (ok, retried, dead_lettered).",
    ["service", "subject", "outcome"],
)
EVENTS_PUBLISHED = Counter(
    "clausewatch_events_published_total",
    "Events published to JetStream, by whether the server kept them or dropped them as duplicates.",
    ["service", "subject", "duplicate"],
)
DEAD_LETTERS = Counter(
    "clausewatch_dead_letters_total",
    "Messages routed to the dead-letter stream.",
    ["service", "subject", "error_type"],
)
HANDLE_SECONDS = Histogram(
    "clausewatch_handle_seconds",
    "Time spent in a message handler.",
    ["service", "subject"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
CONSUMER_PENDING = Gauge(
    "clausewatch_consumer_pending",
    "Messages waiting for a durable consumer (lag), sampled when metrics are scraped.",
    ["consumer"],
)
CONSUMER_ACK_PENDING = Gauge(
    "clausewatch_consumer_ack_pending",
    "Messages delivered to a durable consumer and not yet acknowledged (in flight), sampled when scraped.",
    ["consumer"],
)
CONSUMER_REDELIVERED = Gauge(
    "clausewatch_consumer_redelivered",
    "Messages a durable consumer has had to deliver more than once, sampled when scraped.",
    ["consumer"],
)
# Declared here rather than in the fetcher and notifier so that dashboards and alerts (docs/operations.md) can
# rely on one name whichever process serves them.
FETCH_SECONDS = Histogram(
    "clausewatch_fetch_seconds",
    "Time to capture one document, by method (http, browser, pdf) and outcome "
    "(captured, unchanged, inaccessible).",
    ["method", "outcome"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120),
)
DELIVERIES = Counter(
    "clausewatch_deliveries_total",
    "Alert delivery attempts, by channel (email, webhook, ...) and outcome (delivered, retried, failed).",
    ["channel", "outcome"],
)
