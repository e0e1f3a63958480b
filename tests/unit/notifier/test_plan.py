"""Who gets what for one assessed change set."""

from __future__ import annotations

from clausewatch_notifier.plan import Recipient, plan


def _plan(recipients: list[Recipient], **kw: object) -> list[tuple[str, str, str, str]]:
    args = {
        "change_set_id": "cs-1",
        "platform_id": "acme",
        "severity": "medium",
        "clause_types": ["ai_training"],
        "regulations": ["gdpr-art-6"],
    } | kw
    return sorted((p.subscriber_id, p.kind, p.channel, p.target) for p in plan(recipients, **args))  # type: ignore[arg-type]


def test_each_tier_gets_its_channels() -> None:
    """Free gets a digest item, monitor an e-mail plus chat, compliance e-mail plus webhook; non-followers nothing."""
    recipients = [
        Recipient("free", "f@x.y", "free", {}, frozenset({"acme"})),
        Recipient(
            "mon", "m@x.y", "monitor", {}, frozenset({"acme"}), (("chat-1", "apprise"), ("wh-x", "webhook"))
        ),
        Recipient("comp", "c@x.y", "compliance", {}, frozenset(), (("wh-1", "webhook"),)),
        Recipient("other", "o@x.y", "watcher", {}, frozenset({"zeta"})),
    ]
    assert _plan(recipients) == [
        ("comp", "alert", "email", "c@x.y"),
        ("comp", "alert", "webhook", "wh-1"),
        ("free", "digest_item", "digest", "f@x.y"),
        ("mon", "alert", "apprise", "chat-1"),
        ("mon", "alert", "email", "m@x.y"),
    ]


def test_a_page_going_back_and_forth_goes_to_the_digest_and_to_webhooks_only() -> None:
    """The third flip between two texts (decision 0162): every tier gets a digest item; e-mail and chat skip it; a
    webhook still gets it at once."""
    recipients = [
        Recipient("free", "f@x.y", "free", {}, frozenset({"acme"})),
        Recipient(
            "mon", "m@x.y", "monitor", {}, frozenset({"acme"}), (("chat-1", "apprise"), ("wh-x", "webhook"))
        ),
        Recipient("comp", "c@x.y", "compliance", {}, frozenset(), (("wh-1", "webhook"),)),
    ]
    assert _plan(recipients, alternates=True) == [
        ("comp", "alert", "webhook", "wh-1"),
        ("comp", "digest_item", "digest", "c@x.y"),
        ("free", "digest_item", "digest", "f@x.y"),
        ("mon", "digest_item", "digest", "m@x.y"),
    ]


def test_compliance_filters_and_explicit_follows() -> None:
    """Compliance filters drop non-matching change sets, and a compliance subscriber following some platforms hears only of them."""
    strict = Recipient("c1", "c1@x.y", "compliance", {"min_severity": "high"}, frozenset())
    narrow = Recipient("c2", "c2@x.y", "compliance", {}, frozenset({"zeta"}))
    assert _plan([strict, narrow]) == []
    assert _plan([strict], severity="high") == [("c1", "alert", "email", "c1@x.y")]


def test_a_subscriber_watching_a_provision_hears_only_of_changes_to_it() -> None:
    """A compliance subscriber watching one provision key gets a change set touching it, and nothing for another."""
    watcher = Recipient("w", "w@x.y", "compliance", {"provisions": ["k-train"]}, frozenset())
    common = {
        "change_set_id": "cs-1",
        "platform_id": "acme",
        "severity": "low",
        "clause_types": [],
        "regulations": [],
    }
    assert [(p.subscriber_id, p.channel) for p in plan([watcher], **common, provisions=["k-train"])] == [
        ("w", "email")
    ]
    assert plan([watcher], **common, provisions=["k-other"]) == []


def test_plans_are_deterministic() -> None:
    """Planning the same event twice yields the same delivery ids (so the unique key refuses the second)."""
    r = [Recipient("mon", "m@x.y", "monitor", {}, frozenset({"acme"}))]
    first = plan(r, change_set_id="cs-1", platform_id="acme", severity="low", clause_types=[], regulations=[])
    second = plan(
        r, change_set_id="cs-1", platform_id="acme", severity="low", clause_types=[], regulations=[]
    )
    assert [p.id for p in first] == [p.id for p in second]
