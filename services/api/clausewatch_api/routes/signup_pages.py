"""The sign-up pages: a form, "check your inbox", and the confirmation link's page (decision 0169).

Thin: the rules and writes are the notifier's `management.signup`. A GET never changes anything (mail scanners
follow links); the confirmation is a POST from the link's page. The page showing a new API key is never cached,
and the link's pages send no Referer, so the token in their address does not travel to another site.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from clausewatch_api import present, queries
from clausewatch_api.deps import ResourcesDep, SessionDep
from clausewatch_api.routes.forms import HTML, PRIVATE_HEADERS, form_body, read_form
from clausewatch_api.routes.pages import EnvDep, not_found
from clausewatch_api.routes.subscriptions import client_address
from clausewatch_api.subscriber_auth import optional_notifier_settings, signup_offer
from clausewatch_api.templating import render
from clausewatch_notifier import errors, management
from clausewatch_shared.models import Platform

# A field people never see (moved off screen, skipped by keyboards and screen readers): a script filling every input
# fills it too, and its sign-up is answered like any other and sends nothing (decision 0169).
HONEYPOT = "website"
FORM_BODY = form_body(
    ["email"],
    email={"type": "string", "maxLength": 320},
    platform={"type": "string", "maxLength": 120},
    trial={"type": "string", "enum": ["1"]},
    website={"type": "string", "maxLength": 0},
)

router = APIRouter(
    tags=["pages"],
    default_response_class=HTMLResponse,
    responses={200: {**HTML, "description": "An HTML page."}},
)


def _page(request: Request, templates: EnvDep, name: str, status: int = 200, **context: Any) -> Response:
    response = render(request, templates, name, status_code=status, **context)
    response.headers.update(PRIVATE_HEADERS)
    return response


async def _form(
    request: Request,
    session: SessionDep,
    templates: EnvDep,
    res: ResourcesDep,
    *,
    status: int = 200,
    platform: Platform | None = None,
    email: str | None = None,
    error: str | None = None,
) -> Response:
    """The sign-up form, with every watched platform to choose from, and what was typed and went wrong, if anything."""
    rows, _ = await queries.list_platforms(session, limit=1000, offset=0)
    return _page(
        request,
        templates,
        "signup.html",
        status=status,
        state="form",
        platforms=[present.platform(p) for p in rows],
        platform=platform,
        email=email,
        error=error,
        offer=signup_offer(request, res),
        honeypot=HONEYPOT,
    )


@router.get("/signup", responses={404: {**HTML, "description": "No such platform."}})
async def signup_form(
    request: Request,
    session: SessionDep,
    templates: EnvDep,
    res: ResourcesDep,
    platform: Annotated[str | None, Query(max_length=120, description="The platform to follow.")] = None,
) -> Response:
    """The sign-up form, with a platform chosen when the link named one."""
    settings = optional_notifier_settings(request, res)
    if settings is None or not settings.signup_enabled:
        return _page(request, templates, "signup.html", state="closed")
    chosen = await session.get(Platform, platform) if platform else None
    missing = (
        f"No platform {platform!r} is watched here: choose one below." if platform and not chosen else None
    )
    return await _form(request, session, templates, res, platform=chosen, error=missing)


@router.post(
    "/signup",
    tags=["subscribers"],
    openapi_extra=FORM_BODY,
    responses={
        403: {**HTML, "description": "Sign-up is turned off."},
        422: {**HTML, "description": "Not an e-mail address, or no such platform."},
        429: {**HTML, "description": "Too many sign-ups lately; see Retry-After."},
    },
)
async def signup_submit(
    request: Request, session: SessionDep, templates: EnvDep, res: ResourcesDep
) -> Response:
    """Ask for the confirmation e-mail; the answer reads the same whatever the address (decision 0169)."""
    settings = optional_notifier_settings(request, res)
    if settings is None or not settings.signup_enabled:
        return _page(request, templates, "signup.html", status=403, state="closed")
    form = await read_form(request)
    email, platform_id = form.get("email", "").strip(), form.get("platform") or None
    trial = form.get("trial") == "1"
    try:
        await management.request_signup(
            res.db,
            settings,
            email,
            platform_id=platform_id,
            client_address=client_address(request),
            trial=trial,
            honeypot=form.get(HONEYPOT),
        )
    except errors.RateLimitedError as exc:
        response = _page(
            request,
            templates,
            "signup.html",
            status=429,
            state="limited",
            error=str(exc),
            retry_minutes=max(1, round(exc.retry_after / 60)),
        )
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except (errors.NotFoundError, ValueError) as exc:
        message = str(exc)
        if message.startswith("not an e-mail address"):
            message = "enter an e-mail address such as name@example.org."
        return await _form(
            request,
            session,
            templates,
            res,
            status=422,
            email=email[:320],
            error=message[:1].upper() + message[1:],
        )
    chosen = await session.get(Platform, platform_id) if platform_id else None
    return _page(
        request,
        templates,
        "signup.html",
        state="sent",
        email=email,
        platform=chosen,
        trial=management.Trial.offered(settings) if trial else None,
        per_address=settings.signup_per_address_per_day,
        link_hours=round(settings.signup_link_hours),
    )


CONFIRM_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {**HTML, "description": "No such confirmation link."},
    410: {**HTML, "description": "The link was used already or has expired."},
}


@router.get("/signup/confirm/{token}", responses=CONFIRM_RESPONSES)
async def confirm_page(request: Request, token: str, templates: EnvDep, res: ResourcesDep) -> Response:
    """What the link confirms, and a button to confirm it (nothing changes until the button is pressed)."""
    try:
        view = await management.view_signup(res.db, token, trial=_trial(request, res))
    except errors.LinkGoneError as exc:
        return _page(request, templates, "signup_confirm.html", status=410, state="gone", error=str(exc))
    except errors.NotFoundError:
        return _with_private(not_found(request, templates, "confirmation link"))
    return _page(request, templates, "signup_confirm.html", state="ask", view=view, token=token)


@router.post("/signup/confirm/{token}", tags=["subscribers"], responses=CONFIRM_RESPONSES)
async def confirm_submit(
    request: Request, token: str, session: SessionDep, templates: EnvDep, res: ResourcesDep
) -> Response:
    """Confirm: the account is active, and the page shows its API key, once."""
    form = await read_form(request)
    try:
        confirmed = await management.confirm_signup(
            res.db, token, new_key=form.get("new_key") == "1", trial=_trial(request, res)
        )
    except errors.LinkGoneError as exc:
        return _page(request, templates, "signup_confirm.html", status=410, state="gone", error=str(exc))
    except errors.NotFoundError:
        return _with_private(not_found(request, templates, "confirmation link"))
    followed = await session.get(Platform, confirmed.followed) if confirmed.followed else None
    return _page(
        request,
        templates,
        "signup_confirm.html",
        state="done",
        confirmed=confirmed,
        platform_name=followed.name if followed else None,
        base_url=res.base_url,
    )


def _trial(request: Request, res: ResourcesDep) -> management.Trial | None:
    settings = optional_notifier_settings(request, res)
    return management.Trial.offered(settings) if settings is not None else None


def _with_private(response: Response) -> Response:
    response.headers.update(PRIVATE_HEADERS)
    return response
