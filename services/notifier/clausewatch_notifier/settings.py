"""The notifier's settings: SMTP, webhook safety, and the delivery and digest loops' timing."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator

from clausewatch_notifier.tiers import TIERS
from clausewatch_shared.settings import CommonSettings

# Retries spread over about 14 hours: quick ones for a blip, then hourly ones for an outage.
DEFAULT_RETRY_SCHEDULE = (30.0, 120.0, 600.0, 1800.0, 3600.0, 7200.0, 14400.0, 21600.0)


class NotifierSettings(CommonSettings):
    """Where to send email from, how careful to be with webhook URLs, and how often to try."""

    smtp_host: str = Field(default="127.0.0.1", description="SMTP server that sends alert e-mails.")
    smtp_port: int = Field(default=25, ge=1, le=65535, description="SMTP server port.")
    smtp_user: str | None = Field(default=None, description="SMTP login, if the server asks for one.")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password (secret, never logged).")
    smtp_starttls: bool = Field(default=False, description="Upgrade the SMTP connection with STARTTLS.")
    smtp_tls: bool = Field(default=False, description="Implicit TLS (port 465) instead of STARTTLS.")
    smtp_timeout_seconds: float = Field(default=30.0, gt=0, description="Deadline of one SMTP exchange.")
    smtp_from: str = Field(
        default="clausewatch <alerts@clausewatch.local>", description="From: header of alert e-mails."
    )

    allow_private_webhook_targets: bool = Field(
        default=False,
        description="Allow webhook URLs that resolve to loopback, private or link-local addresses (demo, tests).",
    )
    require_https: bool | None = Field(
        default=None,
        description="Refuse plain-http webhook URLs; default: on outside the development environment.",
    )
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, description="Deadline of one webhook request.")

    delivery_tick_seconds: float = Field(default=5.0, gt=0, description="How often the delivery loop looks.")
    delivery_batch: int = Field(
        default=50, ge=1, le=1000, description="Deliveries claimed per tick of the delivery loop."
    )
    delivery_lease_seconds: float = Field(
        default=120.0,
        gt=0,
        description="A claimed delivery is retried after this long if its sender vanished.",
    )
    delivery_drain_seconds: float = Field(
        default=20.0,
        ge=0,
        description="On stop, how long sends in flight may take to finish and be recorded.",
    )
    retry_schedule_seconds: tuple[float, ...] = Field(
        default=DEFAULT_RETRY_SCHEDULE, description="Delay before each retry; its length bounds the tries."
    )
    retry_jitter: float = Field(default=0.2, ge=0, le=1, description="± fraction applied to each delay.")
    max_attempts: int | None = Field(
        default=None, ge=1, description="Default: one more than the retry schedule."
    )
    disable_after_failures: int = Field(
        default=12,
        ge=1,
        description="Consecutive failed attempts after which a webhook endpoint is disabled.",
    )
    secret_grace_seconds: float = Field(
        default=86400.0, ge=0, description="How long a rotated-out secret signs."
    )

    digest_tick_seconds: float = Field(default=60.0, gt=0, description="How often the digest loop looks.")
    apprise_enabled: bool = Field(default=True, description="Allow chat channels through Apprise URLs.")

    signup_enabled: bool = Field(
        default=True,
        description="Let anyone create a free account (weekly digest, one platform) from the pages or "
        "POST /api/v1/signup, confirmed by a link e-mailed to the address (decision 0169).",
    )
    signup_link_hours: float = Field(
        default=48.0, gt=0, le=720, description="How long a sign-up's confirmation link works."
    )
    signup_per_client_per_hour: int = Field(
        default=5, ge=1, description="Sign-ups one client address may ask for in an hour (then 429)."
    )
    signup_per_address_per_day: int = Field(
        default=3,
        ge=1,
        description="Confirmation e-mails sent to one address in a day; further requests send nothing (the "
        "answer stays the same, so it never tells whether an address is known).",
    )
    signup_per_hour: int = Field(
        default=200,
        ge=1,
        description="Confirmation e-mails sent in an hour in all (then 429): keeps a flood from spending the "
        "sender's reputation.",
    )
    signup_trial_tier: str | None = Field(
        default="monitor",
        description='Tier a sign-up may try before the free one (the seeds\' "Try Monitor free for 14 days"; one '
        "trial per address); empty: no trial offered.",
    )
    signup_trial_days: int = Field(default=14, ge=1, le=365, description="How long a sign-up's trial lasts.")
    unconfirmed_retention_days: float = Field(
        default=7.0,
        gt=0,
        description="Sign-ups never confirmed are deleted this long after their last confirmation link expired.",
    )

    @field_validator("signup_trial_tier", mode="before")
    @classmethod
    def _trial_tier(cls, value: object) -> object:
        if value in ("", None):
            return None
        if value not in TIERS or value == "free":
            msg = (
                f"unknown or free tier {value!r}: choose one of {', '.join(t for t in TIERS if t != 'free')}"
            )
            raise ValueError(msg)
        return value

    @field_validator("retry_schedule_seconds")
    @classmethod
    def _positive(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if any(v < 0 for v in value):
            msg = "retry delays must be >= 0"
            raise ValueError(msg)
        return value

    @property
    def https_required(self) -> bool:
        """Whether webhook URLs must use https (explicit setting, else everywhere but development)."""
        if self.require_https is not None:
            return self.require_https
        return self.environment != "development"

    @property
    def attempts_allowed(self) -> int:
        """How many times one delivery is tried before it is given up."""
        return self.max_attempts or len(self.retry_schedule_seconds) + 1
