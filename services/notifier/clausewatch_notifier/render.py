"""E-mails from Jinja2 templates: same-day alerts, weekly digests, endpoint notices and sign-up confirmations, as
text + HTML. Pure.

Messages carry `List-Unsubscribe` (a one-click URL, RFC 8058) so mail clients offer an unsubscribe button.
"""

from __future__ import annotations

import email.policy
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.headerregistry import BaseHeader, HeaderRegistry, UniqueUnstructuredHeader
from email.message import EmailMessage
from email.policy import Policy
from email.utils import formatdate
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from clausewatch_notifier.alerts import AlertView
from clausewatch_notifier.tiers import SEVERITY_RANK, TIERS
from clausewatch_notifier.watches import carries
from clausewatch_shared.descriptions import reading_rank, severity_word, split_summary_head
from clausewatch_shared.prose import inline_html, visible_text

MAX_CHANGES_IN_EMAIL = 8
_SEVERITY_COLOURS = {"high": "#b91c1c", "medium": "#c2410c", "low": "#4d7c0f", "none": "#6b7280"}
_KIND_COLOURS = {"added": "#15803d", "removed": "#b91c1c", "modified": "#1d4ed8", "moved": "#6b21a8"}


def _humanise(value: str) -> str:
    """Turn an id such as `ai_training` or `gdpr-art-6` into a label ("ai training", "GDPR Art. 6" stays as given)."""
    if any(c.isupper() for c in value) or " " in value:
        return value
    return value.replace("_", " ").replace("-", " ")


def _named(ids: Sequence[str], names: dict[str, str]) -> list[str]:
    """Return each id's display name from the alert's `names`, else the id made readable."""
    return [names.get(i) or _humanise(i) for i in ids]


@dataclass(frozen=True)
class VersionNote:
    """What a version as a whole is, besides its changes: a return to an earlier text (once, or again as the page goes
    back and forth), an announcement of a coming version, or the first version in force under one (decisions 0156,
    0157, 0162). One wording for the subject, the e-mails and the digest."""

    short: str  # in the subject: "back to its 09 Jan 2023 text"
    headline: str  # the digest's sentence and the e-mail's first words: "Back to its text of 09 Jan 2023, word for word"
    detail: str  # after the headline in the e-mail: "these changes undo what changed since."
    colour: str  # the HTML e-mail's accent: amber for a return, blue for an announcement

    @property
    def sentence(self) -> str:
        """The e-mail's line: headline and detail."""
        return f"{self.headline}: {self.detail}"


def version_notes(alert: AlertView) -> list[VersionNote]:
    """The notes on what the alert's version as a whole is, in the order the subject names them."""
    notes = []
    if alert.restores_recorded_at:
        day = f"{alert.restores_recorded_at:%d %b %Y}"
        if alert.alternates:  # the second return in a row: the page goes back and forth (decision 0162)
            note = VersionNote(
                f"back and forth, its {day} text again",
                f"Back to its text of {day} again, going back and forth",
                "same-day alerts skip a page's flips between texts you were told of; the digest keeps them.",
                "#f59e0b",
            )
        else:
            note = VersionNote(
                f"back to its {day} text",
                f"Back to its text of {day}, word for word",
                "these changes undo what changed since.",
                "#f59e0b",
            )
        notes.append(note)
    if alert.announces_effective_date:
        day = f"{alert.announces_effective_date:%d %b %Y}"
        notes.append(
            VersionNote(
                f"announces a version effective {day}",
                f"Announces a new version effective {day}",
                "the changes apply only from then.",
                "#3b82f6",
            )
        )
    if alert.takes_effect_date:
        day = f"{alert.takes_effect_date:%d %b %Y}"
        notes.append(
            VersionNote(
                f"the version announced for {day} in force",
                f"The version announced for {day} is now in force",
                "the changes are what differs from the text announced.",
                "#3b82f6",
            )
        )
    return notes


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("clausewatch_notifier", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
        # Templates are package data: compiled once, never re-checked on disk (a stat per e-mail otherwise).
        auto_reload=False,
    )
    env.filters["humanise"] = _humanise
    env.filters["named"] = _named
    env.filters["severity_word"] = severity_word
    # Provision text is stored as Markdown: HTML mail shows its links as links, plain text as "label (address)".
    env.filters["prose"] = lambda text: Markup(inline_html(str(text)))  # noqa: S704 - inline_html escapes
    env.filters["plain"] = lambda text: visible_text(str(text), with_addresses=True)
    env.globals["severity_colour"] = lambda s: _SEVERITY_COLOURS.get(s, "#6b7280")
    env.globals["kind_colour"] = lambda k: _KIND_COLOURS.get(k, "#374151")
    env.globals["version_notes"] = version_notes
    return env


ENV = _environment()


@dataclass(frozen=True)
class Rendered:
    """An e-mail's subject and bodies."""

    subject: str
    text: str
    html: str | None


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def alert_subject(alert: AlertView) -> str:
    """Return the subject line: severity first, so the inbox can be scanned, then the document and what changed
    ("[MEDIUM] Grok · Grok Privacy Policy (16 changes): Removed; promise removed (no sale of your data, …) — …"),
    and what the version as a whole is ("(5 changes, back to its 09 Jan 2023 text)", "(175 changes, announces a
    version effective 28 Jul 2025)")."""
    where = f"[{alert.severity.upper()}] {alert.platform_name} · {alert.document_title}"
    # The analyzer's summary opens with "16 changes assessed; highest severity medium.": in a subject that already
    # leads with "[MEDIUM]" that sentence took a third of the line and cut what changed (demo, session 15). The
    # subject keeps the count beside the document and gives the rest of the line to the changes.
    notes = [note.short for note in version_notes(alert)]
    split = split_summary_head(alert.summary)
    count, rest = split if split is not None else (1, alert.summary)
    told = ", ".join(([f"{count} changes"] if count > 1 else []) + notes)
    return _short(f"{where}{f' ({told})' if told else ''}: {rest}", 150)


def render_alert(
    alert: AlertView,
    *,
    tier: str,
    unsubscribe_url: str,
    manage_url: str | None = None,
    watched: Collection[str] = (),
) -> Rendered:
    """Render a same-day alert: the most severe changes first, among equals those the subject names first
    (`reading_rank`: what escalates or takes something away, then what was added or removed), then document order.

    Shown in document order, Grok's 16 changes opened with its new "Effective:" date line (low) above the removed
    "We do not sell your personal information" (medium) (demo, session 15).
    """
    shown = sorted(
        alert.changes,
        key=lambda c: (-SEVERITY_RANK.get(c.severity, -1), reading_rank(c.escalation, c.description)),
    )[:MAX_CHANGES_IN_EMAIL]
    subject = alert_subject(alert)
    context = {
        "alert": alert,
        "changes": shown,
        "hidden": len(alert.changes) - len(shown),
        "tier": tier,
        "unsubscribe_url": unsubscribe_url,
        "manage_url": manage_url,
        "subject": subject,
        # A watched provision this change set removed, and what the watch now follows instead (decision 0174).
        "carries": carries(alert.changes, watched) if watched else [],
    }
    return _text_and_html("alert", subject, context)


@dataclass(frozen=True)
class DigestGroup:
    """One platform's alerts within a digest."""

    platform_name: str
    alerts: list[AlertView]


def group_by_platform(alerts: Sequence[AlertView]) -> list[DigestGroup]:
    """Group alerts by platform (platforms by name, alerts oldest first)."""
    groups: dict[str, list[AlertView]] = {}
    names: dict[str, str] = {}
    for alert in alerts:
        groups.setdefault(alert.platform_id, []).append(alert)
        names[alert.platform_id] = alert.platform_name
    return [
        DigestGroup(names[pid], sorted(items, key=lambda a: a.detected_at))
        for pid, items in sorted(groups.items(), key=lambda kv: names[kv[0]].lower())
    ]


def digest_headline(alerts: Sequence[AlertView]) -> str:
    """Say what a digest holds: "12 document updates (2 high, 8 medium, 2 low)".

    Each alert is one document changing once, with one or many provision-level changes: the demo's digest said "12
    changes" for 12 updates holding 335 changes (session 16). The severities say what needs reading first.
    """
    counts = {s: sum(1 for a in alerts if a.severity == s) for s in ("high", "medium", "low")}
    shown = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    total = len(alerts)
    return f"{total} document update{'s' if total != 1 else ''}" + (f" ({shown})" if shown else "")


def render_digest(
    alerts: Sequence[AlertView],
    *,
    period: str,
    tier: str,
    unsubscribe_url: str,
    manage_url: str | None = None,
) -> Rendered:
    """Render a weekly digest grouped by platform."""
    total = len(alerts)
    headline = digest_headline(alerts)
    # A same-day subscriber's digest holds only what their alerts skipped (decision 0162): it is no weekly digest
    # of theirs, and its subject says what it is.
    same_day = tier in TIERS and TIERS[tier].same_day
    kind = "Held from your clausewatch alerts" if same_day else "Your clausewatch weekly digest"
    subject = f"{kind} ({period}): {headline}"
    context = {
        "groups": group_by_platform(alerts),
        "total": total,
        "headline": headline,
        "period": period,
        "tier": tier,
        "same_day": same_day,
        "unsubscribe_url": unsubscribe_url,
        "manage_url": manage_url,
        "subject": subject,
    }
    return _text_and_html("digest", subject, context)


def _text_and_html(template: str, subject: str, context: dict[str, Any]) -> Rendered:
    """Render an e-mail from its two templates, `<template>.txt` and `<template>.html`, on one context."""
    return Rendered(
        subject,
        ENV.get_template(f"{template}.txt").render(context),
        ENV.get_template(f"{template}.html").render(context),
    )


def render_endpoint_disabled(*, endpoint_id: str, host: str, reason: str, unsubscribe_url: str) -> Rendered:
    """Render the notice sent when a failing webhook endpoint is disabled."""
    text = ENV.get_template("endpoint_disabled.txt").render(
        endpoint_id=endpoint_id, host=host, reason=reason, unsubscribe_url=unsubscribe_url
    )
    return Rendered("Your clausewatch webhook endpoint was disabled", text, None)


def render_signup_confirmation(
    *,
    email: str,
    standing: str,
    platform_name: str | None,
    confirm_url: str,
    expires_at: datetime,
    tier: str,
    trial_tier: str | None = None,
    trial_days: int = 0,
) -> Rendered:
    """Render a sign-up's confirmation e-mail: what confirming does for this address, the link, and its life."""
    subjects = {
        "existing": f"Confirm: follow {platform_name} on clausewatch"
        if platform_name
        else "Your clausewatch account",
        "returning": "Confirm: turn your clausewatch alerts back on",
        "new": f"Confirm your {trial_days}-day {trial_tier} trial on clausewatch"
        if trial_tier
        else "Confirm your free clausewatch account",
    }
    subject = subjects.get(standing, subjects["new"])
    context = {
        "subject": subject,
        "email": email,
        "standing": standing,
        "platform_name": platform_name,
        "confirm_url": confirm_url,
        "expires_at": expires_at,
        "tier": tier,
        "trial_tier": trial_tier,
        "trial_days": trial_days,
        "trial_limits": _tier_words(trial_tier) if trial_tier else "",
    }
    return _text_and_html("signup_confirm", subject, context)


def _tier_words(name: str) -> str:
    """Say what a tier gives: "same-day alerts, up to 25 platforms"."""
    tier = TIERS[name]
    timing = "same-day alerts" if tier.same_day else "a weekly digest"
    reach = "every platform" if tier.max_platforms is None else f"up to {tier.max_platforms} platforms"
    return f"{timing}, {reach}"


def render_trial_ending(
    *, trial_tier: str, ends_at: datetime, kept: str | None, dropped: Sequence[str], preferences_url: str
) -> Rendered:
    """Render the reminder sent a few days before a sign-up's trial ends: when, and what the free tier keeps."""
    text = ENV.get_template("trial_ending.txt").render(
        trial_tier=trial_tier,
        ends_at=ends_at,
        kept=kept,
        dropped=list(dropped),
        preferences_url=preferences_url,
    )
    return Rendered(f"Your clausewatch {trial_tier} trial ends on {ends_at:%d %b %Y}", text, None)


def render_trial_ended(
    *, trial_tier: str, kept: str | None, dropped: Sequence[str], preferences_url: str
) -> Rendered:
    """Render the notice sent when a sign-up's trial ends and the free tier takes over."""
    text = ENV.get_template("trial_ended.txt").render(
        trial_tier=trial_tier, kept=kept, dropped=list(dropped), preferences_url=preferences_url
    )
    return Rendered(f"Your clausewatch {trial_tier} trial has ended", text, None)


def message_id(message_key: str) -> str:
    """Return the Message-ID of a delivery's e-mail: the same on every send, so a resend can be recognised.

    Delivery is at least once (the notifier may stop after the SMTP server accepted a message and before the
    delivery row says so, and then it sends again); mail systems and readers drop a second copy with a Message-ID
    they already hold. The key is the delivery id, which is stable per (alert or digest, recipient).
    """
    return f"<{message_key}@clausewatch>"


# BaseHeader as a base too, as HeaderRegistry adds it at run time; typeshed types the two bases' `max_count` apart.
class _EncodedSubject(UniqueUnstructuredHeader, BaseHeader):  # type: ignore[misc]
    """A Subject that, holding non-ASCII characters, is written as whole RFC 2047 encoded words, whichever policy
    writes the message (aiosmtplib flattens with its own SMTP policy, not the message's). The standard folding keeps
    the space before a fold and adds the fold's own, so "… your data) — Sharing …" (an encoded "—" beside a space)
    read back with two spaces in every mail client (demo, session 24)."""

    def fold(self, *, policy: Policy) -> str:
        text = str(self)
        if text.isascii():
            folded: str = super().fold(policy=policy)
            return folded
        encoded = Header(text, "utf-8", header_name=self.name).encode(linesep=policy.linesep)
        return f"{self.name}: {encoded}{policy.linesep}"


_HEADERS = HeaderRegistry()
_HEADERS.map_to_type("subject", _EncodedSubject)


MAIL_POLICY = email.policy.default.clone(header_factory=_HEADERS)


def build_message(
    rendered: Rendered, *, sender: str, to: str, unsubscribe_url: str, message_key: str
) -> EmailMessage:
    """Return a MIME message (text, plus HTML alternative) with List-Unsubscribe headers."""
    message = EmailMessage(policy=MAIL_POLICY)
    message["Subject"] = rendered.subject
    message["From"] = sender
    message["To"] = to
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = message_id(message_key)
    message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["X-Clausewatch-Delivery"] = message_key
    message.set_content(rendered.text)
    if rendered.html:
        message.add_alternative(rendered.html, subtype="html")
    return message
