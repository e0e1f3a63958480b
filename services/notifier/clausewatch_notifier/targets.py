"""Resolving a webhook URL's host and checking it with `ssrf` (the I/O half of the SSRF guard)."""

from __future__ import annotations

from clausewatch_notifier.ssrf import OVERRIDE, WHAT, UnsafeTargetError
from clausewatch_shared.netguard import check_url


async def check_target(url: str, *, require_https: bool, allow_private: bool) -> list[str]:
    """Return the URL's host's addresses if the URL is well formed and they are all allowed; raise otherwise."""
    return await check_url(
        url, require_https=require_https, allow_private=allow_private, what=WHAT, override=OVERRIDE
    )


__all__ = ["UnsafeTargetError", "check_apprise_target", "check_target"]


# Apprise schemes that POST to a host the URL names (self-hosted services and generic targets). Their host is
# checked like a webhook's; hosted-service schemes (slack://, discord://, tgram:// …) put tokens where the host
# would be and always go to the vendor, so there is nothing of ours to reach through them.
SELF_HOSTED_APPRISE = frozenset(
    f"{base}{s}"
    for base in (
        "json",
        "xml",
        "form",
        "apprise",
        "ntfy",
        "gotify",
        "matrix",
        "mmost",
        "rocket",
        "ncloud",
        "nctalk",
    )
    for s in ("", "s")
)


async def check_apprise_target(url: str, *, allow_private: bool) -> None:
    """Raise UnsafeTargetError if an Apprise URL of a self-hosted kind points at a non-public address."""
    scheme, _, rest = url.partition("://")
    if not rest:
        msg = "not an Apprise URL (scheme://…)"
        raise UnsafeTargetError(msg)
    if scheme.lower() not in SELF_HOSTED_APPRISE:
        return
    await check_target("http://" + rest.split("@")[-1], require_https=False, allow_private=allow_private)
