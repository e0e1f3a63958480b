"""Identifiers: time-ordered random ids for new things, name-derived ids for things that must come out the same twice.

Deterministic ids matter for idempotency: a handler that runs again after a crash derives the same event id, so
JetStream's `Nats-Msg-Id` dedup drops the second publish and the database's unique keys refuse the second row.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
import unicodedata
import uuid

_NAMESPACE = uuid.UUID("6f1d3c2a-5b7e-4c8d-9a0b-1c2d3e4f5a6b")


def new_id() -> str:
    """Return a new UUIDv7-style id (sortable by creation time) as a string."""
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & ((1 << 48) - 1)) << 80 | (0x7 << 76) | ((rand >> 62) & 0xFFF) << 64
    value |= (0b10 << 62) | (rand & ((1 << 62) - 1))
    return str(uuid.UUID(int=value))


def derived_id(kind: str, *parts: object) -> str:
    """Return a UUIDv5 computed from a kind and parts: the same inputs always give the same id."""
    return str(uuid.uuid5(_NAMESPACE, "\x1f".join([kind, *map(str, parts)])))


def sha256_hex(data: bytes) -> str:
    """Return the SHA-256 digest of data as 64 lowercase hex characters."""
    return hashlib.sha256(data).hexdigest()


_SLUG_DROP = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """Return a lowercase ASCII slug ("Claude.ai Terms" -> "claude-ai-terms") for stable, citable ids."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _SLUG_DROP.sub("-", ascii_text.lower()).strip("-")
