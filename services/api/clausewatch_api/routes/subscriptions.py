"""Subscriber management over HTTP: thin routes over the notifier's management functions (decision 0007).

An operator (the admin or a configured write key) creates subscribers and sets their tier; a subscriber, with their
own key, manages only their own follows, filters, digest schedule, webhook endpoints, delivery log and replays.
Another subscriber's endpoint or delivery answers 404, exactly like one that does not exist, so ids do not leak.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal
from zoneinfo import available_timezones

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, BeforeValidator, Field

from clausewatch_api.deps import PagingDep, ResourcesDep, require_api_key
from clausewatch_api.respond import page_response
from clausewatch_api.schemas import ErrorOut, Page
from clausewatch_api.subscriber_auth import NotifierSettingsDep, SubscriberDep
from clausewatch_notifier import errors, management
from clausewatch_notifier.schemas import (
    DeliveryOut,
    EndpointOut,
    EndpointSecret,
    ReplayResult,
    SignupConfirmed,
    SubscriberCreated,
    SubscriberOut,
)

router = APIRouter(prefix="/api/v1", tags=["subscribers"])

Id = Annotated[str, Path(min_length=1, max_length=64, description="An id.")]
Severity = Literal["high", "medium", "low", "none"]
Channel = Literal["email", "webhook", "apprise", "digest"]


DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAY_NAMES = tuple(d for day in DAYS for d in (day, day[:3]))
TIME_ZONES = tuple(sorted(available_timezones()))
Responses = dict[int | str, dict[str, Any]]
UNAUTHORISED: Responses = {401: {"model": ErrorOut, "description": "No valid API key."}}
NOT_FOUND: Responses = {404: {"model": ErrorOut, "description": "No such record for this subscriber."}}
FORBIDDEN: Responses = {403: {"model": ErrorOut, "description": "The subscriber's tier does not allow this."}}
CONFLICT: Responses = {409: {"model": ErrorOut, "description": "Clashes with an existing record."}}
BAD_BODY: Responses = {400: {"model": ErrorOut, "description": "The body is not JSON."}}
UNAVAILABLE: Responses = {503: {"model": ErrorOut, "description": "Subscriber management is not configured."}}
Weekday = Annotated[int, Field(strict=True, ge=0, le=6)] | Literal[WEEKDAY_NAMES]  # type: ignore[valid-type]
TimeZone = Literal[TIME_ZONES]  # type: ignore[valid-type]
# The schema says exactly what is accepted (an e-mail address as the notifier checks it, a known IANA zone, a day
# by number or name), so clients, and the schema fuzzer, learn the rules before calling.
EMAIL = r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$"
Hour = Annotated[int, Field(strict=True, ge=0, le=23)]  # strict: `false` or "9" is not an hour
_ISO_START = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _iso_only(value: object) -> object:
    """Refuse numbers posing as times (pydantic would read 0.5 as a Unix timestamp): ISO 8601 strings only."""
    if not isinstance(value, str) or not _ISO_START.match(value):
        msg = "use an ISO 8601 date-time with a zone, e.g. 2026-11-22T06:00:00Z"
        raise ValueError(msg)
    return value


When = Annotated[AwareDatetime, BeforeValidator(_iso_only)]


@contextmanager
def _answers(field: str = "body") -> Iterator[None]:
    """Turn the management functions' typed errors into HTTP answers (anything else stays a server error).

    A 422 takes FastAPI's own validation shape, so every 422 of the API reads alike and matches its schema.
    """
    try:
        yield
    except Exception as exc:
        status = errors.http_status(exc)
        if status == 500:
            raise
        if status == 422:
            raise RequestValidationError(
                [{"loc": (field,), "msg": str(exc), "type": "value_error"}]
            ) from None
        raise HTTPException(status, str(exc)) from None


# --- request bodies ---------------------------------------------------------------------------------------------


class SubscriberIn(BaseModel):
    """A new subscriber."""

    email: str = Field(
        min_length=3, max_length=320, pattern=EMAIL, description="Where alerts and digests go."
    )
    tier: str = Field(default="free", max_length=40, description="free, watcher, monitor or compliance.")
    timezone: TimeZone = Field(default="UTC", description="IANA time zone of the weekly digest.")
    digest_weekday: Weekday = Field(default=0, description="Digest day: 0 (Monday) to 6, or a day name.")
    digest_hour: Hour = Field(default=8, description="Digest hour, local time.")


class TierIn(BaseModel):
    """A tier to move to."""

    tier: str = Field(max_length=40, description="free, watcher, monitor or compliance.")


class FiltersIn(BaseModel):
    """Provision-level filters (compliance tier); empty or missing fields clear them."""

    clause_types: list[Annotated[str, Field(max_length=100)]] | None = Field(default=None, max_length=100)
    min_severity: Severity | None = None
    regulations: list[Annotated[str, Field(max_length=100)]] | None = Field(default=None, max_length=100)
    provisions: list[Annotated[str, Field(max_length=64)]] | None = Field(
        default=None,
        max_length=100,
        description="Provision keys (decision 0172): only change sets touching one of these provisions.",
    )


class DigestIn(BaseModel):
    """A new weekly digest schedule; missing fields stay as they are."""

    timezone: TimeZone | None = Field(default=None, description="IANA time zone.")
    weekday: Weekday | None = Field(default=None, description="0 (Monday) to 6, or a day name.")
    hour: Hour | None = Field(default=None, description="Hour, local time.")


class EndpointIn(BaseModel):
    """A push endpoint: an HTTPS webhook (signed, Standard Webhooks) or an Apprise chat URL."""

    url: str = Field(min_length=1, max_length=2000, description="Where to send alerts.")
    kind: Literal["webhook", "apprise"] = "webhook"


class EnabledIn(BaseModel):
    """Whether an endpoint receives alerts (enabling resets its failure count)."""

    enabled: bool = Field(strict=True)


class ReplayIn(BaseModel):
    """What to send again: one change set, or every change assessed in a time range."""

    change_set_id: str | None = Field(default=None, max_length=64)
    since: When | None = Field(default=None, description="Range start (ISO 8601 with a zone).")
    until: When | None = Field(default=None, description="Range end, exclusive (default: now).")
    endpoint_id: str | None = Field(default=None, max_length=64, description="Only this endpoint.")
    channels: list[Literal["webhook", "apprise", "email"]] = Field(
        default=["webhook"], min_length=1, max_length=3, description="Channels to replay to."
    )


# --- operator routes (admin or write key) --------------------------------------------------------------------


@router.post(
    "/subscribers",
    response_model=SubscriberCreated,
    status_code=201,
    summary="Create a subscriber (operator)",
    responses={**BAD_BODY, **UNAUTHORISED, **FORBIDDEN, **CONFLICT},
    dependencies=[Depends(require_api_key)],
)
async def create_subscriber(body: SubscriberIn, res: ResourcesDep) -> SubscriberCreated:
    """Create a subscriber; the answer holds their API key and unsubscribe token, shown this once."""
    with _answers():
        return await management.create_subscriber(
            res.db,
            body.email,
            tier=body.tier,
            timezone=body.timezone,
            digest_weekday=body.digest_weekday,
            digest_hour=body.digest_hour,
        )


@router.get(
    "/subscribers",
    response_model=Page[SubscriberOut],
    summary="List subscribers (operator)",
    responses={**UNAUTHORISED},
    dependencies=[Depends(require_api_key)],
)
async def list_subscribers(
    request: Request,
    res: ResourcesDep,
    paging: PagingDep,
    state: Annotated[
        Literal["active", "pending", "unsubscribed"] | None,
        Query(description="active, pending (a sign-up not confirmed yet) or unsubscribed."),
    ] = None,
    tier: Annotated[Literal["free", "watcher", "monitor", "compliance"] | None, Query()] = None,
    trial: Annotated[bool, Query(description="Only subscribers on a trial.")] = False,
) -> Any:
    """Subscribers, newest first, self-service sign-ups included, each with `confirmed_at` and `trial_ends_at`."""
    with _answers("query"):
        found, total = await management.list_subscribers(
            res.db, state=state, tier=tier, on_trial=trial, limit=paging.limit, offset=paging.offset
        )
    return page_response(request, [s.model_dump(mode="json") for s in found], total, paging)


@router.get(
    "/subscribers/{subscriber_id}",
    response_model=SubscriberOut,
    summary="Show a subscriber (operator)",
    responses={**UNAUTHORISED, **NOT_FOUND},
    dependencies=[Depends(require_api_key)],
)
async def get_subscriber(subscriber_id: Id, res: ResourcesDep) -> SubscriberOut:
    """Return one subscriber, without secrets."""
    with _answers():
        return await management.get_subscriber(res.db, subscriber_id)


@router.put(
    "/subscribers/{subscriber_id}/tier",
    response_model=SubscriberOut,
    summary="Change a subscriber's tier (operator)",
    responses={**BAD_BODY, **UNAUTHORISED, **NOT_FOUND, **FORBIDDEN},
    dependencies=[Depends(require_api_key)],
)
async def change_tier(subscriber_id: Id, body: TierIn, res: ResourcesDep) -> SubscriberOut:
    """Move a subscriber to another tier (refused while they follow more platforms than it allows).

    Operator-only: a tier is what the subscriber pays for, so a subscriber's own key cannot raise it.
    """
    with _answers():
        return await management.change_tier(res.db, subscriber_id, body.tier)


# --- the subscriber's own routes (their key) ----------------------------------------------------------------


@router.get("/me", response_model=SubscriberOut, summary="Show myself", responses=UNAUTHORISED)
async def me(subscriber: SubscriberDep) -> SubscriberOut:
    """Return the subscriber owning the key: tier, follows, filters and next digest."""
    return subscriber


@router.put(
    "/me/follows/{platform_id}",
    response_model=SubscriberOut,
    summary="Follow a platform",
    responses={**UNAUTHORISED, **NOT_FOUND, **FORBIDDEN},
)
async def follow(
    platform_id: Annotated[str, Path(min_length=1, max_length=100)],
    subscriber: SubscriberDep,
    res: ResourcesDep,
) -> SubscriberOut:
    """Follow a platform of the catalogue, within the tier's limit (following it again changes nothing)."""
    with _answers("path"):
        return await management.follow(res.db, subscriber.id, platform_id)


@router.delete(
    "/me/follows/{platform_id}",
    response_model=SubscriberOut,
    summary="Stop following a platform",
    responses=UNAUTHORISED,
)
async def unfollow(
    platform_id: Annotated[str, Path(min_length=1, max_length=100)],
    subscriber: SubscriberDep,
    res: ResourcesDep,
) -> SubscriberOut:
    """Stop following a platform (one not followed is a no-op)."""
    with _answers("path"):
        return await management.unfollow(res.db, subscriber.id, platform_id)


@router.put(
    "/me/filters",
    response_model=SubscriberOut,
    summary="Set provision-level filters",
    responses={**BAD_BODY, **UNAUTHORISED, **FORBIDDEN},
)
async def set_filters(body: FiltersIn, subscriber: SubscriberDep, res: ResourcesDep) -> SubscriberOut:
    """Set clause-type, severity and regulation filters (compliance tier; empty filters clear them)."""
    with _answers():
        return await management.set_filters(res.db, subscriber.id, body.model_dump())


@router.put(
    "/me/digest",
    response_model=SubscriberOut,
    summary="Set the weekly digest schedule",
    responses={**BAD_BODY, **UNAUTHORISED},
)
async def set_digest(body: DigestIn, subscriber: SubscriberDep, res: ResourcesDep) -> SubscriberOut:
    """Change the time zone, day and hour of the weekly digest."""
    with _answers():
        return await management.set_digest_schedule(
            res.db, subscriber.id, timezone=body.timezone, weekday=body.weekday, hour=body.hour
        )


@router.get(
    "/me/endpoints", response_model=list[EndpointOut], summary="List my endpoints", responses=UNAUTHORISED
)
async def list_endpoints(subscriber: SubscriberDep, res: ResourcesDep) -> list[EndpointOut]:
    """Return the subscriber's push endpoints, without secrets."""
    with _answers():
        endpoints: list[EndpointOut] = await management.list_endpoints(res.db, subscriber.id)
    return endpoints


@router.post(
    "/me/endpoints",
    response_model=EndpointSecret,
    status_code=201,
    summary="Register a webhook or chat endpoint",
    responses={**BAD_BODY, **UNAUTHORISED, **FORBIDDEN, **UNAVAILABLE},
)
async def register_endpoint(
    body: EndpointIn, subscriber: SubscriberDep, res: ResourcesDep, settings: NotifierSettingsDep
) -> EndpointSecret:
    """Register an endpoint (a webhook URL must be public and, outside development, HTTPS); its signing secret
    is in this answer only."""
    with _answers():
        return await management.register_endpoint(res.db, settings, subscriber.id, body.url, kind=body.kind)


@router.post(
    "/me/endpoints/{endpoint_id}/rotate",
    response_model=EndpointSecret,
    summary="Rotate a webhook's signing secret",
    responses={**UNAUTHORISED, **NOT_FOUND, **FORBIDDEN, **UNAVAILABLE},
)
async def rotate_secret(
    endpoint_id: Id, subscriber: SubscriberDep, res: ResourcesDep, settings: NotifierSettingsDep
) -> EndpointSecret:
    """Give a webhook a new secret (shown once); the old one keeps signing alongside for the grace period."""
    with _answers("path"):
        return await management.rotate_secret(res.db, settings, endpoint_id, subscriber_id=subscriber.id)


@router.post(
    "/me/endpoints/{endpoint_id}/test",
    response_model=DeliveryOut,
    status_code=202,
    summary="Send a test event to an endpoint",
    responses={**UNAUTHORISED, **NOT_FOUND, **CONFLICT},
)
async def send_test_event(endpoint_id: Id, subscriber: SubscriberDep, res: ResourcesDep) -> DeliveryOut:
    """Queue a signed `org.clausewatch.ping.v1` event (a short message for a chat channel), sent at once and tried
    once; `GET /me/deliveries/{id}` then shows what the receiver answered. 409 for a disabled endpoint."""
    with _answers("path"):
        return await management.send_test_event(res.db, endpoint_id, subscriber_id=subscriber.id)


@router.put(
    "/me/endpoints/{endpoint_id}/enabled",
    response_model=EndpointOut,
    summary="Enable or disable an endpoint",
    responses={**BAD_BODY, **UNAUTHORISED, **NOT_FOUND},
)
async def set_endpoint_enabled(
    endpoint_id: Id, body: EnabledIn, subscriber: SubscriberDep, res: ResourcesDep
) -> EndpointOut:
    """Enable (resetting its failure count) or disable one of the subscriber's endpoints."""
    with _answers("path"):
        return await management.set_endpoint_enabled(
            res.db, endpoint_id, body.enabled, subscriber_id=subscriber.id
        )


@router.get(
    "/me/deliveries",
    response_model=list[DeliveryOut],
    summary="List my deliveries",
    responses=UNAUTHORISED,
)
async def list_deliveries(
    subscriber: SubscriberDep,
    res: ResourcesDep,
    change_set_id: Annotated[str | None, Query(max_length=64, description="Only this change set.")] = None,
    status: Annotated[
        Literal["pending", "sending", "delivered", "failed", "queued"] | None,
        Query(description="Only this status."),
    ] = None,
    channel: Annotated[Channel | None, Query(description="Only this channel.")] = None,
    since: Annotated[When | None, Query(description="Created at or after (ISO 8601 with a zone).")] = None,
    until: Annotated[When | None, Query(description="Created before (ISO 8601 with a zone).")] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="At most this many, newest first.")] = 100,
    history: Annotated[bool, Query(description="Include every try of each delivery.")] = False,
) -> list[DeliveryOut]:
    """Return the subscriber's delivery log, newest first, filtered."""
    with _answers("query"):
        deliveries: list[DeliveryOut] = await management.list_deliveries(
            res.db,
            subscriber_id=subscriber.id,
            change_set_id=change_set_id,
            status=status,
            channel=channel,
            since=since,
            until=until,
            limit=limit,
            with_history=history,
        )
    return deliveries


@router.get(
    "/me/deliveries/{delivery_id}",
    response_model=DeliveryOut,
    summary="Show one of my deliveries with every try",
    responses={**UNAUTHORISED, **NOT_FOUND},
)
async def get_delivery(delivery_id: Id, subscriber: SubscriberDep, res: ResourcesDep) -> DeliveryOut:
    """Return one delivery of the subscriber's with every try (another subscriber's answers 404)."""
    with _answers("path"):
        delivery = await management.get_delivery(res.db, delivery_id)
    if delivery.subscriber_id != subscriber.id:
        raise HTTPException(404, f"no delivery {delivery_id!r}")
    return delivery


@router.post(
    "/me/replay",
    response_model=ReplayResult,
    summary="Send alerts again",
    responses={**BAD_BODY, **UNAUTHORISED, **NOT_FOUND, **UNAVAILABLE},
)
async def replay(
    body: ReplayIn, subscriber: SubscriberDep, res: ResourcesDep, settings: NotifierSettingsDep
) -> ReplayResult:
    """Queue one change set's alert, or every alert of a time range, again to the subscriber's channels."""
    if body.endpoint_id is not None:
        with _answers():
            owned = {e.id for e in await management.list_endpoints(res.db, subscriber.id)}
        if body.endpoint_id not in owned:
            raise HTTPException(404, f"no endpoint {body.endpoint_id!r}")
    with _answers():
        return await management.replay(
            res.db,
            settings,
            subscriber.id,
            change_set_id=body.change_set_id,
            since=body.since,
            until=body.until,
            channels=tuple(body.channels),
            endpoint_id=body.endpoint_id,
        )


# --- self-service sign-up (no key: the address is proven by the link e-mailed to it; decision 0169) -------------

SIGNUP_ANSWER = (
    "If the address can receive mail, a confirmation link is on its way to it. The account starts when the link "
    "is used; nothing is sent to the address otherwise."
)
LIMITED: Responses = {
    429: {
        "model": ErrorOut,
        "description": "Too many sign-ups lately from this client or on this server; see Retry-After.",
    }
}
CLOSED: Responses = {403: {"model": ErrorOut, "description": "Sign-up is turned off on this server."}}
GONE: Responses = {410: {"model": ErrorOut, "description": "The link was used already or has expired."}}


class SignupIn(BaseModel):
    """A request for a free account (weekly digest, one platform), or for a known address to follow a platform."""

    email: str = Field(min_length=3, max_length=320, pattern=EMAIL, description="The address to confirm.")
    platform_id: str | None = Field(
        default=None, min_length=1, max_length=120, description="The platform to follow once confirmed."
    )
    trial: bool = Field(
        default=False,
        strict=True,
        description="Ask for the server's trial tier (CLAUSEWATCH_SIGNUP_TRIAL_TIER, for its days) instead of the "
        "free account; 422 when the server offers none.",
    )


class SignupAccepted(BaseModel):
    """The same answer whatever the address: it never tells whether an address is known."""

    status: Literal["confirmation_sent"] = "confirmation_sent"
    detail: str = SIGNUP_ANSWER


class ConfirmIn(BaseModel):
    """The token of a confirmation link (the last part of its address)."""

    token: str = Field(min_length=1, max_length=200)
    new_key: bool = Field(
        default=False,
        strict=True,
        description="For an address subscribed already: issue a new API key (the current one stops working).",
    )


def client_address(request: Request) -> str | None:
    """Return the asking client's address as the server sees it (behind a proxy, uvicorn's --forwarded-allow-ips
    decides whether X-Forwarded-For counts)."""
    return request.client.host if request.client else None


def too_many(exc: errors.RateLimitedError) -> HTTPException:
    """Return the 429 for a refused sign-up, with Retry-After."""
    return HTTPException(429, str(exc), headers={"Retry-After": str(exc.retry_after)})


@router.post(
    "/signup",
    response_model=SignupAccepted,
    status_code=202,
    summary="Sign up for a free account",
    responses={**BAD_BODY, **CLOSED, **NOT_FOUND, **LIMITED, **UNAVAILABLE},
)
async def signup(
    body: SignupIn, request: Request, res: ResourcesDep, settings: NotifierSettingsDep
) -> SignupAccepted:
    """E-mail a confirmation link to the address; the account (free tier, API key) starts when it is used.

    The answer is the same whether the address is new, subscribed already, or over its daily number of e-mails.
    """
    with _answers():
        try:
            await management.request_signup(
                res.db,
                settings,
                body.email,
                platform_id=body.platform_id,
                client_address=client_address(request),
                trial=body.trial,
            )
        except errors.RateLimitedError as exc:
            raise too_many(exc) from None  # an HTTPException: `_answers` lets it through as it is
    return SignupAccepted()


@router.post(
    "/signup/confirm",
    response_model=SignupConfirmed,
    summary="Confirm a sign-up",
    responses={**BAD_BODY, **NOT_FOUND, **GONE, **UNAVAILABLE},
)
async def confirm_signup(
    body: ConfirmIn, res: ResourcesDep, settings: NotifierSettingsDep
) -> SignupConfirmed:
    """Use a confirmation link's token: the answer holds the new API key, shown this once (none for an address that
    was subscribed already, whose key stays as it was unless `new_key` asks for another)."""
    with _answers():
        return await management.confirm_signup(
            res.db, body.token, new_key=body.new_key, trial=management.Trial.offered(settings)
        )


# --- 405 for paths served by several routes -------------------------------------------------------------------
# Starlette answers a method no route of a path serves with the Allow header of the first route that matched the
# path only, so `OPTIONS /me/endpoints` would say `Allow: GET` although POST works too. A hidden route per such
# path answers the other methods itself with every method the path serves.
_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")


def _allow_all_served(path: str, served: tuple[str, ...]) -> None:
    allow = ", ".join(served)

    async def method_not_allowed(request: Request) -> JSONResponse:
        return JSONResponse({"detail": "Method Not Allowed"}, status_code=405, headers={"Allow": allow})

    others = [m for m in _METHODS if m not in served and not (m == "HEAD" and "GET" in served)]
    router.add_api_route(path, method_not_allowed, methods=others, include_in_schema=False)


_allow_all_served("/me/follows/{platform_id}", ("PUT", "DELETE"))
_allow_all_served("/me/endpoints", ("GET", "POST"))
