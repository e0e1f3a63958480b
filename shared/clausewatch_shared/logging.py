"""structlog set-up: JSON lines off a terminal, pretty on one; context (event id, correlation id, document id) bound
per message through contextvars so every line a handler writes carries it."""

from __future__ import annotations

import logging
import sys
from types import TracebackType
from typing import Any

import structlog

_SECRET_KEYS = ("secret", "password", "token", "api_key", "authorization")


def _redact(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """Mask values whose key names a secret: a last line of defence, SecretStr is the first."""
    for key in list(event_dict):
        if any(s in key.lower() for s in _SECRET_KEYS):
            event_dict[key] = "**********"
    return event_dict


class KnownFetchTimeout(logging.Filter):
    """Demotes one known false alarm: a JetStream pull fetch timing out, reported by FastStream as a crashed task.

    nats-py 2.16's `fetch` can raise the builtin TimeoutError (when its deadline has passed before the lingering pull
    request, typically while the connection drains at shutdown); FastStream 0.7.8's pull loop suppresses only
    `nats.errors.TimeoutError`, a subclass, so the builtin one escapes, and its task supervisor logs "Task-N raised an
    exception, retrying..." at ERROR with a traceback, then restarts the loop. Nothing was fetched, so nothing is
    lost (docs/decisions/0120). The record becomes one DEBUG line without the traceback; any other error, a
    TimeoutError raised anywhere but inside nats included, passes unchanged.
    """

    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._is_known(record):
            return True
        if self.level > logging.DEBUG:
            return False
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        record.msg, record.args, record.exc_info, record.exc_text = (
            "a JetStream pull fetch timed out (nats-py's builtin TimeoutError); FastStream restarted the pull loop",
            None,
            None,
            None,
        )
        return True

    @staticmethod
    def _is_known(record: logging.LogRecord) -> bool:
        if not record.name.startswith("faststream") or not record.exc_info:
            return False
        error, traceback = record.exc_info[1], record.exc_info[2]
        return (
            type(error) is TimeoutError
            and "raised an exception" in record.getMessage()
            and _innermost_module(traceback).startswith("nats.")
        )


def _innermost_module(traceback: TracebackType | None) -> str:
    """The module name of the frame where an exception was raised ("" without a traceback)."""
    if traceback is None:
        return ""
    while traceback.tb_next is not None:
        traceback = traceback.tb_next
    return str(traceback.tb_frame.f_globals.get("__name__", ""))


def configure_logging(level: str = "INFO", fmt: str = "auto", service: str | None = None) -> None:
    """Configure structlog and the standard library's root logger once, for the whole process."""
    pretty = fmt == "console" or (fmt == "auto" and sys.stderr.isatty())
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _redact,
    ]
    renderer: Any = structlog.dev.ConsoleRenderer() if pretty else structlog.processors.JSONRenderer()
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
    if service:
        structlog.contextvars.bind_contextvars(service=service)
    # Libraries log through the standard library: their records are rendered like ours (JSON lines off a
    # terminal), so a log shipper never meets a line it cannot parse.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[structlog.stdlib.add_logger_name, *shared],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    handler.addFilter(KnownFetchTimeout(logging.getLevelName(level)))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    # Never below WARNING: at DEBUG these libraries print SQL parameters and URLs, which can hold secrets.
    for noisy in ("faststream", "nats", "httpx", "httpcore", "aiosqlite", "sqlalchemy", "asyncio"):
        library = logging.getLogger(noisy)
        library.setLevel(max(logging.WARNING, logging.getLevelName(level)))
        # FastStream gives its logger a coloured handler of its own and stops propagation: undone, so its records
        # (and the broker's, messaging.BROKER_LOGGER) reach the handler above.
        library.handlers.clear()
        library.propagate = True


def get_logger(name: str | None = None) -> Any:
    """Return a structlog logger."""
    return structlog.get_logger(name)
