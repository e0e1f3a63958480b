"""Pure helpers: language check, schedule arithmetic, snapshot fingerprint, bounded decoding, PDF text."""

from __future__ import annotations

import gzip
import hashlib
import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clausewatch_fetcher.evidence import snapshot_sha256
from clausewatch_fetcher.http_fetch import BoundedDecoder
from clausewatch_fetcher.language import detect_language, language_mismatch
from clausewatch_fetcher.pdftext import PdfTextError, pdf_to_text
from clausewatch_fetcher.schedule import lease_wait, next_due, retry_due, slot_name
from tests.integration.fetcher.pages import french_html, policy_text
from tests.support.pdf import make_pdf

NOW = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)


def test_language_detection_tells_english_from_french_and_abstains_when_short() -> None:
    """Long texts are classified; short ones and undeclared languages never produce a mismatch."""
    assert detect_language(policy_text())[0] == "en"
    assert detect_language(french_html())[0] == "fr"
    assert detect_language("Privacy Policy")[0] is None
    assert language_mismatch(french_html(), "en") == "fr"
    assert language_mismatch(policy_text(), "en-GB") is None
    assert language_mismatch(french_html(), "ja") is None


def test_slots_are_named_by_their_due_time() -> None:
    """A slot name is the due time in UTC to the second."""
    assert slot_name(NOW) == "2026-11-22T06:00:00Z"


@given(
    interval=st.integers(min_value=1, max_value=30 * 86400),
    late=st.integers(min_value=0, max_value=90 * 86400),
    fraction=st.floats(min_value=0, max_value=0.5),
)
def test_next_due_is_in_the_future_and_jitter_stays_in_bounds(
    interval: int, late: int, fraction: float
) -> None:
    """The next due time is after now, at most one interval plus the jitter span away."""
    previous = NOW - timedelta(seconds=late)
    due = next_due(previous, NOW, interval, fraction=fraction, cap=3600, rng=random.Random(1))
    span = min(interval * fraction, 3600)
    assert due > NOW
    assert due - max(previous + timedelta(seconds=interval), NOW) <= timedelta(seconds=interval + span)


def test_missed_slots_are_not_made_up_one_by_one() -> None:
    """After a long outage the next check is one interval from now, not from the missed slot."""
    due = next_due(NOW - timedelta(days=3), NOW, 86400, fraction=0)
    assert due == NOW + timedelta(days=1)


def test_retries_back_off_up_to_the_interval() -> None:
    """Transient failures retry at base * 2^(n-1), never later than the normal interval."""
    assert retry_due(NOW, 1, 900, 86400) == NOW + timedelta(seconds=900)
    assert retry_due(NOW, 3, 900, 86400) == NOW + timedelta(seconds=3600)
    assert retry_due(NOW, 20, 900, 86400) == NOW + timedelta(seconds=86400)


def test_a_busy_slot_is_retried_when_its_lease_ends() -> None:
    """A request for a leased slot waits out the lease (plus a second); an ended or missing lease waits a second."""
    assert lease_wait(NOW + timedelta(seconds=14), NOW) == 15.0
    assert lease_wait(NOW - timedelta(seconds=5), NOW) == 1.0
    assert lease_wait(None, NOW) == 1.0


def test_the_snapshot_fingerprint_is_sha256_over_part_hashes_in_order() -> None:
    """The snapshot hash is SHA-256 of the parts' hex digests concatenated in order."""
    a, b = hashlib.sha256(b"a").hexdigest(), hashlib.sha256(b"b").hexdigest()
    assert snapshot_sha256([a, b]) == hashlib.sha256((a + b).encode()).hexdigest()
    assert snapshot_sha256([a, b]) != snapshot_sha256([b, a])


def test_the_bounded_decoder_stops_a_bomb_but_passes_a_normal_page() -> None:
    """A gzip bomb stops one byte past the cap and is called a bomb; an ordinary gzip page decodes whole."""
    bomb = gzip.compress(b"\0" * 20_000_000)
    decoder = BoundedDecoder("gzip", 1 << 20)
    for i in range(0, len(bomb), 65536):
        decoder.feed(bomb[i : i + 65536])
    assert decoder.size == (1 << 20) + 1
    assert decoder.rejection(100.0, 200).cause == "decompression_bomb"
    page = policy_text().encode()
    normal = BoundedDecoder("gzip", 1 << 20)
    normal.feed(gzip.compress(page))
    assert normal.body() == page


def test_an_uncompressed_page_over_the_cap_is_too_large_not_a_bomb() -> None:
    """Plain bytes over the cap are 'too_large'."""
    decoder = BoundedDecoder("", 1000)
    decoder.feed(b"x" * 2000)
    assert decoder.rejection(100.0, 200).cause == "too_large"


def test_pdf_text_is_extracted_and_non_pdfs_are_refused() -> None:
    """A PDF's text comes out; bytes without a PDF header raise PdfTextError."""
    assert "privacy team" in pdf_to_text(make_pdf(policy_text().split("\n")))
    with pytest.raises(PdfTextError):
        pdf_to_text(b"<html>not a pdf</html>")
