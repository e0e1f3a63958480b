"""The differ's settings."""

from __future__ import annotations

from pydantic import Field

from clausewatch_shared.settings import CommonSettings


class DifferSettings(CommonSettings):
    """How much input the differ accepts and how long one diff may take before it settles for a coarser one."""

    max_document_bytes: int = Field(
        default=32 * 1024 * 1024, ge=1024, description="Larger snapshots are refused."
    )
    diff_timeout_seconds: float = Field(default=1.0, gt=0, description="Time budget of one diff pass.")
