"""A subscriber's preferences page, reached from every alert and digest ("Manage your subscription"; decision 0170).

The link carries the subscriber's e-mail token (the one their unsubscribe link carries), so a reader without API keys
or curl can change what they follow, when their digest comes, or turn alerts back on. Thin: each action is one of the
notifier's management functions; their typed errors become the page's message. A GET changes nothing.
"""

from __future__ import annotations

from urllib.parse import urlencode
from zoneinfo import available_timezones

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from clausewatch_api import present, queries
from clausewatch_api.deps import ResourcesDep, SessionDep
from clausewatch_api.routes.forms import HTML, PRIVATE_HEADERS, form_body, read_form
from clausewatch_api.routes.pages import EnvDep, not_found
from clausewatch_api.templating import render
from clausewatch_notifier import errors, management
from clausewatch_shared.models import Platform

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
TIME_ZONES = sorted(available_timezones())
ACTIONS = ("follow", "unfollow", "digest", "resume", "watch", "unwatch")
FORM_BODY = form_body(
    ["action"],
    action={"type": "string", "enum": list(ACTIONS)},
    platform={"type": "string", "maxLength": 120},
    timezone={"type": "string", "maxLength": 64},
    weekday={"type": "string", "maxLength": 2},
    hour={"type": "string", "maxLength": 2},
    provision={"type": "string", "maxLength": 2000},
)

router = APIRouter(
    tags=["pages"],
    default_response_class=HTMLResponse,
    responses={200: {**HTML, "description": "An HTML page."}, 404: {**HTML, "description": "No such link."}},
)


async def _show(
    request: Request,
    token: str,
    session: SessionDep,
    templates: EnvDep,
    res: ResourcesDep,
    *,
    status: int = 200,
    done: str | None = None,
    error: str | None = None,
) -> Response:
    prefs = await management.preferences(res.db, token)
    if prefs is None:
        response = not_found(request, templates, "subscription")
    else:
        rows, _ = await queries.list_platforms(session, limit=1000, offset=0)
        names = {p.id: p.name for p in rows}
        followed = prefs.subscriber.platforms
        response = render(
            request,
            templates,
            "preferences.html",
            status_code=status,
            prefs=prefs,
            sub=prefs.subscriber,
            token=token,
            followed=[{"id": p, "name": names.get(p, p)} for p in followed],
            others=[present.platform(p) for p in rows if p.id not in followed],
            room=prefs.max_platforms is None or len(followed) < prefs.max_platforms,
            watched=await queries.provisions_by_key(
                session, prefs.subscriber.filters.get("provisions") or []
            ),
            weekdays=list(enumerate(WEEKDAYS)),
            zones=TIME_ZONES,
            request_base=res.base_url,
            done=done,
            error=error,
        )
    response.headers.update(PRIVATE_HEADERS)
    return response


# What the page says after a change it redirected from (POST, then 303 to GET: a reload repeats nothing). Fixed
# sentences chosen by a code, so the address cannot be made to show text of someone else's choosing.
DONE = {
    "follow": "You now follow {name}.",
    "unfollow": "You no longer follow {name}.",
    "digest": "Your digest day and time are saved.",
    "resume": "Your alerts are back on.",
    "watch": "You watch that provision now: only changes to the provisions you watch reach you.",
    "unwatch": "You no longer watch that provision.",
}


@router.get("/preferences/{token}")
async def preferences_page(
    request: Request,
    token: str,
    session: SessionDep,
    templates: EnvDep,
    res: ResourcesDep,
    done: str | None = None,
    platform: str | None = None,
) -> Response:
    """What the subscriber follows, when their digest comes, and the forms to change both; after a change, what it
    did (`done`: the action, `platform`: the platform it concerned)."""
    said = None
    if done in DONE:
        known = await session.get(Platform, platform) if platform else None
        said = DONE[done].format(name=known.name if known else "that platform")
    return await _show(request, token, session, templates, res, done=said)


@router.post(
    "/preferences/{token}",
    tags=["subscribers"],
    openapi_extra=FORM_BODY,
    responses={
        303: {"description": "Done: to the page, which says what the change did."},
        403: {**HTML, "description": "The tier does not allow it."},
        422: {**HTML, "description": "An unknown action, platform, zone, day or hour."},
    },
)
async def preferences_change(
    request: Request, token: str, session: SessionDep, templates: EnvDep, res: ResourcesDep
) -> Response:
    """Apply one change (follow, unfollow, digest schedule, resume, watch or unwatch a provision), then redirect to
    the page, which says what happened (303: a reload shows the page, it does not send the form again). A change the
    tier or the input does not allow shows the page with the reason, and its status."""
    prefs = await management.preferences(res.db, token)
    if prefs is None:
        return await _show(request, token, session, templates, res)
    form = await read_form(request)
    action, platform = form.get("action", ""), form.get("platform", "")
    sub_id = prefs.subscriber.id
    try:
        if action == "follow":
            await management.follow(res.db, sub_id, platform)
        elif action == "unfollow":
            await management.unfollow(res.db, sub_id, platform)
        elif action == "digest":
            await management.set_digest_schedule(
                res.db,
                sub_id,
                timezone=form.get("timezone") or None,
                weekday=_number(form.get("weekday"), "day"),
                hour=_number(form.get("hour"), "hour"),
            )
        elif action == "resume":
            await management.resume(res.db, token)
        elif action == "watch":
            await management.watch_provision(res.db, sub_id, form.get("provision", ""))
        elif action == "unwatch":
            await management.unwatch_provision(res.db, sub_id, form.get("provision", ""))
        else:
            msg = f"unknown action {action!r}: use one of {', '.join(ACTIONS)}"
            raise ValueError(msg)
    except Exception as exc:
        status = errors.http_status(exc)
        if status == 500:
            raise
        return await _show(request, token, session, templates, res, status=status, error=str(exc))
    query = {"done": action, **({"platform": platform} if action in ("follow", "unfollow") else {})}
    response = RedirectResponse(f"/preferences/{token}?{urlencode(query)}", status_code=303)
    response.headers.update(PRIVATE_HEADERS)
    return response


def _number(value: str | None, what: str) -> int | None:
    """Read a form's day or hour (None when left out); a non-number is a ValueError naming the field."""
    if not value:
        return None
    if not value.isdigit():
        msg = f"the {what} must be a number"
        raise ValueError(msg)
    return int(value)
