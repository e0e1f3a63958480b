"""configure_logging: in JSON mode every line is JSON, the libraries' (FastStream, nats, httpx) included."""

from __future__ import annotations

import json
import subprocess
import sys

from clausewatch_shared.messaging import BROKER_LOGGER, build_broker

PROGRAM = """
import logging
from clausewatch_shared.logging import configure_logging, get_logger
from clausewatch_shared.messaging import BROKER_LOGGER
configure_logging("INFO", "json", service="probe")
logging.getLogger("nats").warning("reconnecting to %s", "nats://a:4222")
try:
    1 / 0
except ZeroDivisionError:
    logging.getLogger("httpx").exception("request failed")
logging.getLogger(BROKER_LOGGER).info("callback for Task-7 is being executed...")
logging.getLogger(BROKER_LOGGER).error("Task-7 raised an exception, retrying...")
get_logger("clausewatch.probe").info("handled", event_id="e1")
"""


def test_json_mode_renders_library_records_as_json_lines() -> None:
    """Library warnings and errors come out as JSON with their logger, level, service and traceback; FastStream's
    informational chatter (below WARNING) is dropped; nothing goes to stdout."""
    result = subprocess.run(
        [sys.executable, "-c", PROGRAM], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout == ""
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    assert [(line.get("logger"), line["level"], line["event"]) for line in lines] == [
        ("nats", "warning", "reconnecting to nats://a:4222"),
        ("httpx", "error", "request failed"),
        (BROKER_LOGGER, "error", "Task-7 raised an exception, retrying..."),
        (None, "info", "handled"),
    ]
    assert all(line["service"] == "probe" for line in lines)
    assert "ZeroDivisionError" in lines[1]["exception"]


def test_the_broker_logs_through_the_logger_configure_logging_governs() -> None:
    """The broker is given the "faststream" child logger, not FastStream's default one with its own stdout handler."""
    broker = build_broker("nats://127.0.0.1:1", "probe")
    assert BROKER_LOGGER.startswith("faststream.")
    assert broker.config.logger.params_storage.get_logger(context=None).name == BROKER_LOGGER


FETCH_TIMEOUT = """
import logging, sys
from clausewatch_shared.logging import configure_logging
from clausewatch_shared.messaging import BROKER_LOGGER
configure_logging(sys.argv[1], "json", service="probe")
# Raised where nats-py raises it (a frame of nats.js.client), and the same error raised by other code.
inside_nats = {"__name__": "nats.js.client"}
exec("def fetch():\\n    raise TimeoutError", inside_nats)
def handler():
    raise TimeoutError
for raiser in (inside_nats["fetch"], handler):
    try:
        raiser()
    except TimeoutError as error:
        # What FastStream's task supervisor logs when a pull loop ends in an exception.
        logging.getLogger(BROKER_LOGGER).error("Task-3 raised an exception, retrying...", exc_info=error)
"""


def _fetch_timeout_lines(level: str) -> list[dict[str, str]]:
    result = subprocess.run(
        [sys.executable, "-c", FETCH_TIMEOUT, level], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout == ""
    return [json.loads(line) for line in result.stderr.splitlines()]


def test_a_pull_fetch_timeout_inside_nats_is_not_reported_as_an_error() -> None:
    """nats-py's builtin TimeoutError from a pull fetch, which FastStream reports as a crashed task before restarting
    it, is dropped at INFO; the same error raised by other code is still an error with its traceback."""
    [line] = _fetch_timeout_lines("INFO")
    assert (line["level"], line["event"]) == ("error", "Task-3 raised an exception, retrying...")
    assert "in handler\nTimeoutError" in line["exception"]


def test_a_pull_fetch_timeout_is_one_debug_line_at_debug() -> None:
    """At DEBUG the known case stays visible, as one line without a traceback."""
    known, other = _fetch_timeout_lines("DEBUG")
    assert known["level"] == "debug"
    assert "pull fetch timed out" in known["event"]
    assert "exception" not in known
    assert other["level"] == "error"
