"""The notifier's commands, merged into the `clausewatch` CLI as `clausewatch notify …`.

Each command is a thin shell over `management`: it loads settings, opens the database, calls one function and
prints its pydantic result as JSON (secrets appear only in the output of the command that made them).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar, cast

import typer
from pydantic import BaseModel

from clausewatch_notifier import management
from clausewatch_notifier.errors import ConflictError, NotFoundError
from clausewatch_notifier.schedule import ScheduleError
from clausewatch_notifier.settings import NotifierSettings
from clausewatch_notifier.signups import State
from clausewatch_notifier.ssrf import UnsafeTargetError
from clausewatch_notifier.tiers import TierError
from clausewatch_shared.db import Database
from clausewatch_shared.settings import SettingsError, load_settings

app = typer.Typer(no_args_is_help=True)
notify = typer.Typer(
    no_args_is_help=True,
    help="Subscribers, tiers, follows, filters, webhook endpoints, the delivery log and replays.",
)
app.add_typer(notify, name="notify")
T = TypeVar("T")
_EXPECTED = (TierError, NotFoundError, ConflictError, UnsafeTargetError, ScheduleError, ValueError)


def _settings() -> NotifierSettings:
    try:
        return load_settings(NotifierSettings)
    except SettingsError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def _run(call: Callable[[Database, NotifierSettings], Awaitable[T]]) -> T:
    settings = _settings()

    async def go() -> T:
        db = Database(settings.database_url)
        try:
            return await call(db, settings)
        finally:
            await db.dispose()

    try:
        return asyncio.run(go())
    except _EXPECTED as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None


def _print(result: Any) -> None:
    if isinstance(result, BaseModel):
        typer.echo(result.model_dump_json(indent=2))
    elif isinstance(result, list):
        typer.echo("[" + ",\n".join(r.model_dump_json(indent=2) for r in result) + "]")
    else:
        typer.echo(str(result))


Subscriber = Annotated[str, typer.Argument(help="Subscriber id.")]
Endpoint = Annotated[str, typer.Argument(help="Endpoint id.")]


@notify.command("create-subscriber")
def create_subscriber(
    email: Annotated[str, typer.Argument(help="E-mail address alerts go to.")],
    tier: Annotated[str, typer.Option(help="free, watcher, monitor or compliance.")] = "free",
    timezone: Annotated[str, typer.Option(help="IANA time zone of the weekly digest.")] = "UTC",
    digest_day: Annotated[str, typer.Option(help="Digest weekday (monday … sunday or 0-6).")] = "monday",
    digest_hour: Annotated[int, typer.Option(help="Digest hour, 0-23, local time.")] = 8,
) -> None:
    """Create a subscriber; prints the API key and unsubscribe token once."""
    _print(
        _run(
            lambda db, _s: management.create_subscriber(
                db, email, tier=tier, timezone=timezone, digest_weekday=digest_day, digest_hour=digest_hour
            )
        )
    )


@notify.command("subscribers")
def subscribers(
    state: Annotated[
        str | None, typer.Option(help="active, pending (sign-ups not confirmed yet) or unsubscribed.")
    ] = None,
    tier: Annotated[str | None, typer.Option(help="Only this tier.")] = None,
    trial: Annotated[bool, typer.Option("--trial", help="Only subscribers on a trial.")] = False,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many, newest first.")] = 100,
) -> None:
    """List subscribers, newest first (self-service sign-ups included), with their state, tier and trial end."""
    if state not in (None, "active", "pending", "unsubscribed"):
        typer.echo("error: --state is active, pending or unsubscribed", err=True)
        raise typer.Exit(2)
    found, total = _run(
        lambda db, _s: management.list_subscribers(
            db,
            state=cast("State | None", state),
            tier=tier,
            on_trial=trial,
            limit=limit,
        )
    )
    for sub in found:
        trial_end = f"  trial until {sub.trial_ends_at:%Y-%m-%d}" if sub.trial_ends_at else ""
        platforms = ",".join(sub.platforms) or "-"
        typer.echo(f"{sub.id}  {sub.state:<12}  {sub.tier:<10}  {sub.email}  {platforms}{trial_end}")
    typer.echo(f"{len(found)} of {total}")


@notify.command("show")
def show(subscriber: Subscriber) -> None:
    """Show a subscriber: tier, platforms, filters, next digest."""
    _print(_run(lambda db, _s: management.get_subscriber(db, subscriber)))


@notify.command("set-tier")
def set_tier(subscriber: Subscriber, tier: Annotated[str, typer.Argument(help="The new tier.")]) -> None:
    """Move a subscriber to another tier (refused if they follow more platforms than it allows)."""
    _print(_run(lambda db, _s: management.change_tier(db, subscriber, tier)))


@notify.command("follow")
def follow(subscriber: Subscriber, platform: Annotated[str, typer.Argument(help="Platform id.")]) -> None:
    """Follow a platform, within the tier's limit."""
    _print(_run(lambda db, _s: management.follow(db, subscriber, platform)))


@notify.command("unfollow")
def unfollow(subscriber: Subscriber, platform: Annotated[str, typer.Argument(help="Platform id.")]) -> None:
    """Stop following a platform."""
    _print(_run(lambda db, _s: management.unfollow(db, subscriber, platform)))


@notify.command("set-filters")
def set_filters(
    subscriber: Subscriber,
    clause_type: Annotated[
        list[str] | None, typer.Option(help="Clause type id (repeat for several).")
    ] = None,
    regulation: Annotated[list[str] | None, typer.Option(help="Regulation id (repeat for several).")] = None,
    min_severity: Annotated[str | None, typer.Option(help="low, medium or high.")] = None,
    provision: Annotated[
        list[str] | None, typer.Option(help="Provision key to watch, alone (repeat for several).")
    ] = None,
) -> None:
    """Set provision-level filters (compliance tier); no options clears them."""
    filters = {
        "clause_types": clause_type or [],
        "regulations": regulation or [],
        "min_severity": min_severity,
        "provisions": provision or [],
    }
    _print(_run(lambda db, _s: management.set_filters(db, subscriber, filters)))


@notify.command("set-digest")
def set_digest(
    subscriber: Subscriber,
    timezone: Annotated[str | None, typer.Option(help="IANA time zone.")] = None,
    day: Annotated[str | None, typer.Option(help="Weekday.")] = None,
    hour: Annotated[int | None, typer.Option(help="Hour 0-23.")] = None,
) -> None:
    """Change when the weekly digest arrives."""
    _print(
        _run(
            lambda db, _s: management.set_digest_schedule(
                db, subscriber, timezone=timezone, weekday=day, hour=hour
            )
        )
    )


@notify.command("unsubscribe")
def unsubscribe(token: Annotated[str, typer.Argument(help="The subscriber's unsubscribe token.")]) -> None:
    """Deactivate the subscriber holding a token (what the e-mails' unsubscribe link does)."""
    ok = _run(lambda db, _s: management.unsubscribe(db, token))
    typer.echo("unsubscribed" if ok else "no subscriber holds that token")
    if not ok:
        raise typer.Exit(1)


@notify.command("add-endpoint")
def add_endpoint(
    subscriber: Subscriber,
    url: Annotated[str, typer.Argument(help="Webhook URL, or an Apprise URL with --kind apprise.")],
    kind: Annotated[str, typer.Option(help="webhook or apprise.")] = "webhook",
) -> None:
    """Register a webhook (prints its signing secret once) or an Apprise chat URL."""
    _print(_run(lambda db, s: management.register_endpoint(db, s, subscriber, url, kind=kind)))


@notify.command("endpoints")
def endpoints(subscriber: Subscriber) -> None:
    """List a subscriber's endpoints."""
    _print(_run(lambda db, _s: management.list_endpoints(db, subscriber)))


@notify.command("rotate-secret")
def rotate_secret(
    endpoint: Endpoint,
    grace_hours: Annotated[float | None, typer.Option(help="How long the old secret keeps signing.")] = None,
) -> None:
    """Give a webhook endpoint a new signing secret (printed once); the old one signs too for the grace period."""
    grace = None if grace_hours is None else grace_hours * 3600
    _print(_run(lambda db, s: management.rotate_secret(db, s, endpoint, grace_seconds=grace)))


@notify.command("test-endpoint")
def ping_endpoint(endpoint: Endpoint) -> None:
    """Queue a test event for an endpoint (a signed ping for a webhook, a message for a chat channel); the running
    notifier sends it at once: `notify delivery ID` shows what the receiver answered."""
    _print(_run(lambda db, _s: management.send_test_event(db, endpoint)))


@notify.command("enable-endpoint")
def enable_endpoint(endpoint: Endpoint) -> None:
    """Re-enable an endpoint (after fixing the receiver); its failure count starts again at zero."""
    _print(_run(lambda db, _s: management.set_endpoint_enabled(db, endpoint, True)))


@notify.command("disable-endpoint")
def disable_endpoint(endpoint: Endpoint) -> None:
    """Stop deliveries to an endpoint."""
    _print(_run(lambda db, _s: management.set_endpoint_enabled(db, endpoint, False)))


@notify.command("deliveries")
def deliveries(
    subscriber: Annotated[str | None, typer.Option(help="Only this subscriber's.")] = None,
    change_set: Annotated[str | None, typer.Option(help="Only this change set's.")] = None,
    status: Annotated[str | None, typer.Option(help="pending, sending, delivered, failed, queued …")] = None,
    channel: Annotated[str | None, typer.Option(help="email, webhook, apprise or digest.")] = None,
    since: Annotated[
        datetime | None, typer.Option(help="Created at or after (ISO time, UTC if no zone).")
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 50,
    history: Annotated[bool, typer.Option(help="Include every try.")] = False,
) -> None:
    """Print the delivery log."""
    _print(
        _run(
            lambda db, _s: management.list_deliveries(
                db,
                subscriber_id=subscriber,
                change_set_id=change_set,
                status=status,
                channel=channel,
                since=_aware(since),
                limit=limit,
                with_history=history,
            )
        )
    )


@notify.command("delivery")
def delivery(
    delivery_id: Annotated[str, typer.Argument(help="Delivery id (the webhook-id receivers saw).")],
) -> None:
    """Show one delivery and every try: where it went, when, what came back."""
    _print(_run(lambda db, _s: management.get_delivery(db, delivery_id)))


@notify.command("replay")
def replay(
    subscriber: Subscriber,
    change_set: Annotated[str | None, typer.Option(help="Replay this change set's alert.")] = None,
    since: Annotated[datetime | None, typer.Option(help="Replay alerts assessed since (ISO time).")] = None,
    until: Annotated[datetime | None, typer.Option(help="…and before (default: now).")] = None,
    channel: Annotated[list[str] | None, typer.Option(help="webhook (default), apprise, email.")] = None,
    endpoint: Annotated[str | None, typer.Option(help="Only this endpoint.")] = None,
) -> None:
    """Send one alert, or every alert of a time range, again (same webhook-id, fresh retries)."""
    _print(
        _run(
            lambda db, s: management.replay(
                db,
                s,
                subscriber,
                change_set_id=change_set,
                since=_aware(since),
                until=_aware(until),
                channels=tuple(channel or ("webhook",)),
                endpoint_id=endpoint,
            )
        )
    )


def _aware(value: datetime | None) -> datetime | None:
    from datetime import UTC

    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
