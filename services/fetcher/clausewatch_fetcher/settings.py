"""The fetcher's settings (env prefix `CLAUSEWATCH_`), validated at start."""

from __future__ import annotations

import shutil
from pathlib import Path

from pydantic import Field

from clausewatch_fetcher.catalogue import BUNDLED_CATALOGUE
from clausewatch_shared.settings import CommonSettings

# Where a Chromium usually is: Debian's headless shell first (the same Blink and V8 without the browser's UI layer,
# about a fifth of the full browser's CPU per capture: decision 0016), then Debian's full browser, then a few common
# names on PATH.
_HEADLESS_SHELL_CANDIDATES = ("/usr/lib/chromium/chromium-headless-shell", "/usr/bin/chromium-headless-shell")
_CHROMIUM_CANDIDATES = (
    *_HEADLESS_SHELL_CANDIDATES,
    "/usr/bin/chromium",
    "/usr/lib/chromium/chromium",
    "/usr/bin/chromium-browser",
)
_CHROMIUM_NAMES = (
    "chromium-headless-shell",
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
)


def detect_chromium() -> str | None:
    """Return a Chromium executable found on this machine, or None to let Playwright use its own download."""
    for candidate in _CHROMIUM_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    for name in _CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


class FetcherSettings(CommonSettings):
    """Where the catalogue is, how often and how politely to fetch, and the limits of one capture."""

    catalogue_path: Path = Field(default=BUNDLED_CATALOGUE, description="A catalogue YAML file or directory.")
    chromium_path: str | None = Field(
        default_factory=detect_chromium,
        description=(
            "Chromium executable for browser capture (env CLAUSEWATCH_CHROMIUM_PATH); auto-detected, "
            "Debian's chromium-headless-shell first (far cheaper per capture than the full browser)."
        ),
    )
    browser_enabled: bool = Field(default=True, description="Allow browser capture at all.")
    browser_concurrency: int = Field(default=3, ge=1, le=16, description="Pages rendered at once per worker.")
    browser_block_resources: bool = Field(
        default=True, description="Skip images, media and fonts in the browser: text never needs them."
    )
    browser_same_host_only: bool = Field(
        default=False,
        description="Abort browser requests to other hosts (tests, benchmarks, air-gapped runs).",
    )
    browser_loopback_only: bool = Field(
        default=False,
        description="Let the browser resolve only loopback hosts (tests, benchmarks); costs nothing per request.",
    )
    browser_make_ahead: bool = Field(
        default=False,
        description="Make the next capture's fresh context while one renders: less waiting, one more idle renderer.",
    )
    browser_settle_ms: int = Field(
        default=300, ge=0, le=10_000, description="Wait after load for late scripts."
    )
    schedule_enabled: bool = Field(
        default=True, description="Run the scheduler in this process (off: captures only on request)."
    )
    schedule_tick_seconds: float = Field(
        default=15.0, gt=0, description="How often the scheduler looks for due documents."
    )
    default_interval_seconds: int = Field(default=86_400, ge=1, description="Between checks of one document.")
    jitter_fraction: float = Field(
        default=0.1, ge=0, le=0.5, description="Random delay up to this much of it."
    )
    max_jitter_seconds: float = Field(
        default=3600.0, ge=0, description="Upper bound of the random delay added to a due time."
    )
    initial_spread_seconds: float = Field(
        default=120.0, ge=0, description="Spread of first checks after sync."
    )
    retry_base_seconds: float = Field(
        default=900.0, gt=0, description="First retry after a transient failure."
    )
    attention_after_failures: int = Field(default=3, ge=1, description="Failures in a row that need a human.")
    incomplete_confirm_seconds: float = Field(
        default=86_400.0,
        ge=0,
        description="How long a page that lacks sections its own contents list is retried before it is recorded "
        "as it is (0: never rejected, the check is off).",
    )
    older_copy_confirm_seconds: float = Field(
        default=86_400.0,
        ge=0,
        description="How long an older copy (a page stating a date for itself that an earlier capture stated, "
        "earlier than the version on record's) is retried before it is recorded as it is (0: never rejected, the "
        "check is off).",
    )
    http_timeout_seconds: float = Field(
        default=30.0, gt=0, description="Per-read HTTP timeout; a whole fetch gets three times this."
    )
    browser_timeout_seconds: float = Field(default=45.0, gt=0, description="Deadline of one browser capture.")
    browser_step_timeout_seconds: float = Field(
        default=5.0,
        gt=0,
        le=60,
        description="How long a document's page step (click, wait_for) waits for what it looks for.",
    )
    capture_lease_seconds: float = Field(
        default=60.0,
        ge=1,
        description="Slot lease of a capture, renewed every third of it: how long a crashed capture blocks its slot.",
    )
    max_bytes: int = Field(
        default=10 * 1024 * 1024, ge=1024, description="Size cap per page, after decoding."
    )
    max_compression_ratio: float = Field(default=100.0, gt=1, description="Decoded/encoded ratio of a bomb.")
    max_redirects: int = Field(
        default=10, ge=0, description="Redirects followed before a capture fails as a redirect loop."
    )
    min_host_delay_seconds: float = Field(default=2.0, ge=0, description="Between two hits on one host.")
    http_concurrency: int = Field(default=16, ge=1, le=256, description="HTTP captures at once per worker.")
    user_agent: str = Field(
        default="clausewatch/0.1 (+https://github.com/clausewatch/clausewatch; policy change monitor)",
        description="Honest: names the bot and where to read about it.",
    )
    archive_endpoint: str | None = Field(
        default=None,
        description="Wayback-compatible Save Page Now base URL (e.g. https://web.archive.org); None=off.",
    )
    archive_timeout_seconds: float = Field(
        default=60.0, gt=0, description="Deadline of one Save Page Now request."
    )
