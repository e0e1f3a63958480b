"""Subscriber authentication and the notifier's settings for the management routes.

A subscriber proves who they are with their own API key (`cwk_...`, made by `create_subscriber` and stored only as
a hash); the notifier's `authenticate` finds the active subscriber owning it. The management functions that sign
or check webhooks need the notifier's settings (SSRF policy, secret grace period, public address): they are built
once from the environment, sharing the api's own database, address and environment, and kept on app.state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import structlog
from fastapi import Depends, Header, HTTPException, Request

from clausewatch_api.deps import ResourcesDep
from clausewatch_api.settings import ApiSettings
from clausewatch_notifier import management
from clausewatch_notifier.schemas import SubscriberOut
from clausewatch_notifier.settings import NotifierSettings
from clausewatch_shared.settings import SettingsError, load_settings

log = structlog.get_logger("clausewatch.api.subscriptions")

KEY_PREFIX = "cwk_"
# Keys are "cwk_" + 43 url-safe characters; anything far longer is not a key and is not worth hashing.
MAX_KEY_LENGTH = 200


def _offered_key(x_api_key: str | None, authorization: str | None) -> str | None:
    """Return the key from X-API-Key or `Authorization: Bearer`, if either holds one."""
    if x_api_key:
        return x_api_key.strip()
    if authorization and authorization[:7].lower() == "bearer ":
        return authorization[7:].strip()
    return None


async def current_subscriber(
    res: ResourcesDep,
    x_api_key: Annotated[str | None, Header(description="The subscriber's own API key (`cwk_...`).")] = None,
    authorization: Annotated[
        str | None, Header(description="`Bearer <subscriber API key>`, instead of X-API-Key.")
    ] = None,
) -> SubscriberOut:
    """Return the active subscriber owning the key offered, or answer 401."""
    key = _offered_key(x_api_key, authorization)
    subscriber = None
    # Only a well-formed key reaches the database: an admin key or junk is refused without a query.
    if key and key.startswith(KEY_PREFIX) and len(key) <= MAX_KEY_LENGTH:
        subscriber = await management.authenticate(res.db, key)
    if subscriber is None:
        raise HTTPException(
            401, "a valid subscriber API key is required", headers={"WWW-Authenticate": "Bearer"}
        )
    return subscriber


def build_notifier_settings(settings: ApiSettings) -> NotifierSettings:
    """Return the notifier's settings from the environment, with the api's database, address and environment."""
    return load_settings(
        NotifierSettings,
        database_url=settings.database_url,
        public_base_url=settings.public_base_url,
        environment=settings.environment,
    )


def notifier_settings(request: Request, res: ResourcesDep) -> NotifierSettings:
    """Return the notifier's settings, built on first use and kept on app.state (a test may set its own)."""
    state = request.app.state
    cached: NotifierSettings | None = getattr(state, "notifier_settings", None)
    if cached is None:
        try:
            cached = build_notifier_settings(res.settings)
        except SettingsError as exc:
            # The message names the variables at fault, never their values.
            log.error("notifier_settings_invalid", error=str(exc))
            raise HTTPException(503, "subscriber management is not configured") from None
        state.notifier_settings = cached
    return cached


SubscriberDep = Annotated[SubscriberOut, Depends(current_subscriber)]
NotifierSettingsDep = Annotated[NotifierSettings, Depends(notifier_settings)]


def optional_notifier_settings(request: Request, res: ResourcesDep) -> NotifierSettings | None:
    """Return the notifier's settings, or None when they are not valid (pages then offer no sign-up, not a 503)."""
    try:
        return notifier_settings(request, res)
    except HTTPException:
        return None


@dataclass(frozen=True)
class SignupOffer:
    """What the pages offer a visitor: the free account, and the server's trial if it has one (decision 0171)."""

    trial: management.Trial | None


def signup_offer(request: Request, res: ResourcesDep) -> SignupOffer | None:
    """Return what the pages offer for self-service sign-up, or None when it is off (or the settings are invalid)."""
    settings = optional_notifier_settings(request, res)
    if settings is None or not settings.signup_enabled:
        return None
    return SignupOffer(management.Trial.offered(settings))
