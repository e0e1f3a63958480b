"""The event contract: versioned subjects, frozen strict models, deterministic ids, backoff bounds."""

from __future__ import annotations

import pydantic
import pytest

from clausewatch_shared import subjects
from clausewatch_shared.events import BY_SUBJECT, EVENT_TYPES, CaptureRequested, SnapshotUnchanged
from clausewatch_shared.ids import derived_id, new_id, slugify
from clausewatch_shared.messaging import backoff_delay
from clausewatch_shared.streams import STREAMS


def test_every_subject_is_versioned_and_taken_by_exactly_one_stream() -> None:
    """Each event's subject starts with clausewatch.v1 and falls in one stream's subjects."""
    for event_type in EVENT_TYPES:
        assert event_type.subject.startswith("clausewatch.v1.")
        owners = [
            s.name
            for s in STREAMS
            if any(event_type.subject.startswith(p.removesuffix(">")) for p in s.subjects)
        ]
        assert len(owners) == 1, (event_type.__name__, owners)
    assert set(BY_SUBJECT) == {t.subject for t in EVENT_TYPES}


def test_events_are_frozen_and_refuse_unknown_fields() -> None:
    """An event cannot be mutated and a payload with an unknown field does not validate."""
    event = CaptureRequested(correlation_id="c", document_id="acme/terms", slot="2026-11-22T06:00Z")
    with pytest.raises(pydantic.ValidationError):
        event.slot = "other"  # type: ignore[misc]
    payload = event.model_dump() | {"surprise": 1}
    with pytest.raises(pydantic.ValidationError):
        CaptureRequested.model_validate(payload)


def test_events_refuse_another_schema_version() -> None:
    """A message claiming schema version 2 is not accepted as a v1 event."""
    payload = SnapshotUnchanged(
        correlation_id="c",
        document_id="d",
        platform_id="p",
        sha256="a" * 64,
        captured_at="2026-01-01T00:00:00Z",
    ).model_dump(mode="json") | {"schema_version": 2}
    with pytest.raises(pydantic.ValidationError):
        SnapshotUnchanged.model_validate(payload)


def test_derived_ids_repeat_and_new_ids_sort_by_time() -> None:
    """Derived ids are the same for the same inputs; new ids are unique and increase over time."""
    assert derived_id("change", "v1") == derived_id("change", "v1")
    assert derived_id("change", "v1") != derived_id("change", "v2")
    ids = [new_id() for _ in range(50)]
    assert len(set(ids)) == 50
    assert ids[0][:8] <= ids[-1][:8]


def test_slugify_makes_stable_ascii_ids() -> None:
    """Names become lowercase ASCII slugs."""
    assert slugify("Claude.ai Terms of Service") == "claude-ai-terms-of-service"
    assert slugify("Société Générale") == "societe-generale"


def test_backoff_grows_and_is_capped() -> None:
    """Redelivery delays double per try (within jitter) and never exceed five minutes."""
    assert 0.75 <= backoff_delay(1, 1.0) <= 1.25
    assert 6.0 <= backoff_delay(4, 1.0) <= 10.0
    assert backoff_delay(50, 1.0) <= 300 * 1.25


def test_deadletter_subject_names_the_service() -> None:
    """Dead letters of a service go to its own subject."""
    assert subjects.deadletter("differ") == "clausewatch.v1.deadletter.differ"
