"""Settings read from the environment (prefix `CLAUSEWATCH_`), validated at start with messages that say what to fix.

Each service subclasses `CommonSettings` with its own fields; secrets are `SecretStr` so they never reach a log.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, TypeVar

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATA_DIR = Path.home() / ".local" / "share" / "clausewatch"


class SettingsError(RuntimeError):
    """Raised when the environment does not give a usable configuration; the message lists every problem."""


class CommonSettings(BaseSettings):
    """Settings every service needs: where the broker, database and blobs are, and how to log."""

    model_config = SettingsConfigDict(env_prefix="CLAUSEWATCH_", env_file=".env", extra="ignore")

    environment: Literal["development", "production", "test"] = Field(
        default="development",
        description="development, test or production; outside development webhooks must use HTTPS.",
    )
    nats_url: str = Field(default="nats://127.0.0.1:4222", description="NATS server(s), comma-separated.")
    database_url: str = Field(
        default=f"sqlite+aiosqlite:///{DEFAULT_DATA_DIR / 'clausewatch.db'}",
        description="SQLAlchemy async URL: sqlite+aiosqlite:///path or postgresql+psycopg://user@host/db.",
    )
    blob_store: Literal["filesystem", "nats"] = Field(
        default="filesystem",
        description="Where raw captures live: a directory (embedded mode) or a JetStream Object Store bucket.",
    )
    blob_dir: Path = Field(
        default=DEFAULT_DATA_DIR / "blobs", description="Directory of the filesystem blob store."
    )
    blob_bucket: str = Field(
        default="clausewatch-blobs", description="Object Store bucket of the nats blob store."
    )
    stream_replicas: int = Field(default=1, ge=1, le=5, description="JetStream replicas: 3 in a cluster.")
    max_deliveries: int = Field(
        default=5, ge=1, le=100, description="Tries before a message is dead-lettered."
    )
    retry_backoff_seconds: float = Field(
        default=2.0, gt=0, description="First redelivery delay; doubles per try."
    )
    handler_concurrency: int = Field(
        default=8,
        ge=1,
        le=64,
        description=(
            "Events one process handles at once per subscription, on PostgreSQL (handlers mostly wait on the "
            "database). On SQLite always 1: its single writer would turn overlap into lock waits."
        ),
    )
    shutdown_grace_seconds: float = Field(
        default=30.0,
        gt=0,
        le=600,
        description=(
            "How long a stopping service lets the messages it holds finish; what is still running then is handed "
            "back to the stream for another replica. Keep it below the orchestrator's grace period (45 s)."
        ),
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Least severe level logged."
    )
    log_format: Literal["auto", "json", "console"] = Field(
        default="auto", description="auto: JSON lines when not on a terminal, pretty on one."
    )
    public_base_url: str = Field(
        default="http://127.0.0.1:8080", description="Where the web pages are served."
    )
    api_admin_key: SecretStr | None = Field(default=None, description="API key for write endpoints.")
    ops_port: int | None = Field(
        default=None, ge=0, le=65535, description="Port of /healthz, /readyz and /metrics (unset: off)."
    )
    ops_host: str = Field(default="127.0.0.1", description="Ops endpoint interface; 0.0.0.0 in containers.")
    allow_private_document_urls: bool = Field(
        default=False,
        description=(
            "Let documents added through the API point at loopback, private or link-local addresses (tests, a "
            "demo on a LAN). Catalogue files are reviewed by the operator and are not checked."
        ),
    )

    @property
    def effective_handler_concurrency(self) -> int:
        """The handler concurrency to use: the setting on PostgreSQL, 1 on SQLite."""
        return 1 if self.database_url.startswith("sqlite") else self.handler_concurrency

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if value.startswith("sqlite:///"):
            return value.replace("sqlite:///", "sqlite+aiosqlite:///", 1)
        if value.startswith(("postgresql://", "postgres://")):
            return "postgresql+psycopg://" + value.split("://", 1)[1]
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+psycopg://", "postgresql+asyncpg://")):
            msg = "use sqlite+aiosqlite:///PATH or postgresql+psycopg://USER@HOST/DB"
            raise ValueError(msg)
        return value


S = TypeVar("S", bound=CommonSettings)


def load_settings(cls: type[S], **overrides: object) -> S:
    """Build settings from the environment plus overrides, turning validation errors into one readable message."""
    try:
        return cls(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "\n".join(
            f"  CLAUSEWATCH_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            for err in exc.errors()
        )
        msg = f"invalid configuration for {cls.__name__}:\n{problems}"
        raise SettingsError(msg) from None
