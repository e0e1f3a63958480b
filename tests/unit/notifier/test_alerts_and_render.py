"""Alert views, diffs and e-mail rendering."""

from __future__ import annotations

from datetime import UTC, date, datetime
from email import message_from_bytes, policy

import pytest
from aiosmtplib.email import flatten_message

from clausewatch_notifier.alerts import AlertView, diff_segments
from clausewatch_notifier.preview import example_alert
from clausewatch_notifier.render import Rendered, build_message, digest_headline, render_alert, render_digest
from tests.support.diffs import RELABELLED_LINK
from tests.unit.notifier.samples import sample_alert


def test_diff_segments_accept_pairs_and_objects_and_merge_runs() -> None:
    """[op, text] pairs and {op, text} objects become segments; adjacent runs of one op merge; junk is skipped."""
    segments = diff_segments(
        [
            ["=", "a "],
            {"op": "equal", "text": "b "},
            {"tag": "insert", "text": "c"},
            ["-", "d"],
            42,
            ["?", "e"],
        ]
    )
    assert [(s.op, s.text) for s in segments] == [("equal", "a b "), ("insert", "c"), ("delete", "d")]


def test_alert_view_carries_severity_regulations_and_link() -> None:
    """The alert has the highest severity, sorted regulations and clause types, and the change page link."""
    alert = sample_alert()
    assert alert.severity == "high"
    assert alert.regulations == ["eu-ai-act", "gdpr-art-6"]
    assert alert.clause_types == ["ai_training"]
    assert alert.link == "https://cw.example/changes/cs-1"
    assert alert.changes[0].heading == "How we use your information › AI training"


def test_alert_email_shows_the_diff_and_unsubscribe() -> None:
    """The HTML marks deletions and insertions, the text uses [-…-]/[+…+], and both carry the links."""
    rendered = render_alert(
        sample_alert(), tier="monitor", unsubscribe_url="https://cw.example/unsubscribe/t"
    )
    assert rendered.subject.startswith("[HIGH] Leonardo AI · Privacy Policy: AI training on prompts")
    assert rendered.html is not None
    assert "<del" in rendered.html
    assert "<ins" in rendered.html
    assert "(was medium)" in rendered.html
    assert "[+use your prompts and generated images" in rendered.text
    for body in (rendered.text, rendered.html):
        assert "https://cw.example/changes/cs-1" in body
        assert "https://cw.example/unsubscribe/t" in body


def test_html_escapes_document_text() -> None:
    """Markup inside a provision's text is escaped, not rendered."""
    alert = sample_alert()
    change = alert.changes[0].model_copy(update={"diff": [], "new_text": "<script>alert(1)</script>"})
    rendered = render_alert(
        alert.model_copy(update={"changes": [change]}), tier="monitor", unsubscribe_url="u"
    )
    assert "<script>" not in (rendered.html or "")
    assert "&lt;script&gt;" in (rendered.html or "")


def test_message_has_list_unsubscribe_and_both_parts() -> None:
    """The MIME message has text and HTML parts and one-click List-Unsubscribe headers."""
    rendered = render_alert(
        sample_alert(), tier="monitor", unsubscribe_url="https://cw.example/unsubscribe/t"
    )
    message = build_message(
        rendered,
        sender="cw <a@b.c>",
        to="x@y.z",
        unsubscribe_url="https://cw.example/unsubscribe/t",
        message_key="k",
    )
    assert message["List-Unsubscribe"] == "<https://cw.example/unsubscribe/t>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_body(("plain",)) is not None
    assert message.get_body(("html",)) is not None


@pytest.mark.parametrize(
    "subject",
    [
        "[MEDIUM] Grok \u00b7 Grok Privacy Policy (16 changes): Removed; promise removed (no sale of your data, no "
        "sharing of your data) \u2014 Sharing with third parti\u2026",
        "[HIGH] Acme \u00b7 Acme Terms (3 changes): Modified \u2014 Arbitration",
        "[LOW] Acme Terms: Modified " + "word " * 30,
    ],
)
def test_the_subject_reads_back_exactly_as_written(subject: str) -> None:
    """Sent and parsed back, a long subject with non-ASCII characters is the same text: no doubled space where the
    header was folded beside "\u2014" (the standard folding's), and every header line within 78 characters."""
    rendered = render_alert(sample_alert(), tier="monitor", unsubscribe_url="https://cw.example/u/t")
    rendered = Rendered(subject, rendered.text, rendered.html)
    message = build_message(
        rendered, sender="cw <a@b.c>", to="x@y.z", unsubscribe_url="https://cw.example/u/t", message_key="k"
    )
    # Flattened as the sender's SMTP client does, with its own policy (SMTPUTF8 when the server offers it).
    for utf8 in (False, True):
        raw = flatten_message(message, utf8=utf8, cte_type="8bit")
        head = raw.split(b"\r\n\r\n", 1)[0]
        assert max(len(line) for line in head.split(b"\r\n")) <= 78
        assert message_from_bytes(raw, policy=policy.default)["Subject"] == subject


def test_message_id_is_stable_per_delivery() -> None:
    """Building a delivery's e-mail twice gives one Message-ID (a resend is recognisable); another delivery gets another."""
    rendered = render_alert(sample_alert(), tier="monitor", unsubscribe_url="https://cw.example/u/t")

    def build(key: str) -> str:
        message = build_message(
            rendered,
            sender="cw <a@b.c>",
            to="x@y.z",
            unsubscribe_url="https://cw.example/u/t",
            message_key=key,
        )
        return str(message["Message-ID"])

    assert build("d-1") == build("d-1") == "<d-1@clausewatch>"
    assert build("d-2") != build("d-1")


def test_digest_groups_by_platform() -> None:
    """A digest lists each platform once with its changes under it, platforms in name order."""
    alerts = [
        sample_alert("zeta", "Zeta", 1),
        sample_alert("acme", "Acme", 2),
        sample_alert("zeta", "Zeta", 3),
    ]
    rendered = render_digest(alerts, period="2026-W23", tier="free", unsubscribe_url="u")
    assert rendered.subject == "Your clausewatch weekly digest (2026-W23): 3 document updates (3 high)"
    assert "3 document updates (3 high) on the platforms you follow" in rendered.text
    assert rendered.text.index("== Acme ==") < rendered.text.index("== Zeta ==")
    assert rendered.text.count("== Zeta ==") == 1
    assert rendered.text.count("https://cw.example/changes/cs-") == 3


def test_links_in_provision_text_read_as_links_and_addresses() -> None:
    """HTML mail links a provision's Markdown link; plain text shows "label (address)", neither the raw Markdown."""
    alert = sample_alert()
    text = "Opt out in [Settings](https://leonardo.example/settings)."
    change = alert.changes[0].model_copy(update={"diff": [], "old_text": None, "new_text": text})
    rendered = render_alert(
        alert.model_copy(update={"changes": [change]}), tier="monitor", unsubscribe_url="u"
    )
    assert '<a href="https://leonardo.example/settings" rel="nofollow noopener noreferrer">Settings</a>' in (
        rendered.html or ""
    )
    assert "Opt out in Settings (https://leonardo.example/settings)." in rendered.text
    assert "[Settings](" not in rendered.text + (rendered.html or "")


def test_a_replaced_link_labelled_with_its_address_reads_as_that_address() -> None:
    """The differ gives a link "[URL](URL)" whole to the diff (demo, session 19): the e-mail shows the old and new
    address once each, in text and HTML, not label and target."""
    alert = sample_alert()
    diff = diff_segments(
        [
            ["=", "Submit a request at "],
            ["-", "[https://xai-privacy.relyance.ai/](https://xai-privacy.relyance.ai/)"],
            ["+", "[https://x.ai/privacy-portal/](https://x.ai/privacy-portal/)"],
        ]
    )
    change = alert.changes[0].model_copy(update={"diff": diff})
    rendered = render_alert(
        alert.model_copy(update={"changes": [change]}), tier="monitor", unsubscribe_url="u"
    )
    assert (
        "Submit a request at [-https://xai-privacy.relyance.ai/-][+https://x.ai/privacy-portal/+]"
        in rendered.text
    )
    html = rendered.html or ""
    assert html.count("https://x.ai/privacy-portal/") == 2  # the link's href and its text, once
    assert "](" not in rendered.text + html


def test_a_link_the_diff_cut_apart_reads_as_words_in_both_mails() -> None:
    """Bluesky's relabelled link printed "[[-Terms Required by the -][+Apple +]App Store …](…)" in e-mails: now
    its words, with the new address after them, in text and HTML."""
    alert = sample_alert()
    diff = diff_segments([("=", "See "), *RELABELLED_LINK, ("=", ".")])
    change = alert.changes[0].model_copy(update={"diff": diff})
    rendered = render_alert(
        alert.model_copy(update={"changes": [change]}), tier="monitor", unsubscribe_url="u"
    )
    assert (
        "See [-Terms Required by the -][+Apple +]App Store and Google Play[+ Required Terms+] "
        "([+https://bsky.social/about/support/tos#app-stores+])."
    ) in rendered.text
    html = rendered.html or ""
    assert "](" not in rendered.text + html
    assert "#app-play-terms" not in rendered.text + html


def test_a_diffs_line_breaks_show_in_the_html_mail() -> None:
    """A paragraph made into a list (0183) ran its items together in the HTML e-mail, whose text collapsed newlines:
    the diff keeps its line breaks there, as in the text e-mail and on the change page."""
    alert = sample_alert()
    diff = diff_segments([["=", "When you sign up, we collect:\n* your name;\n"], ["+", "* your photos."]])
    change = alert.changes[0].model_copy(update={"diff": diff})
    rendered = render_alert(
        alert.model_copy(update={"changes": [change]}), tier="monitor", unsubscribe_url="u"
    )
    assert '<span style="white-space:pre-line">When you sign up, we collect:\n* your name;\n<ins' in (
        rendered.html or ""
    )
    assert "When you sign up, we collect:\n* your name;\n[+* your photos.+]" in rendered.text


def test_a_change_of_spacing_alone_reads_as_the_space_it_leaves() -> None:
    """Tinder's DPO address went from lines to one line: the e-mail printed "Officer[-⏎⏎-][+ +]MTCH" (demo,
    session 19). Whitespace-only insertions and deletions read as one space; word changes keep their markers."""
    segments = diff_segments(
        [
            ["=", "Data Protection Officer"],
            ["-", "\n\n"],
            ["+", " "],
            ["=", "MTCH"],
            ["-", "Ltd"],
            ["+", "Limited"],
        ]
    )
    assert [(s.op, s.text) for s in segments] == [
        ("equal", "Data Protection Officer MTCH"),
        ("delete", "Ltd"),
        ("insert", "Limited"),
    ]


@pytest.mark.parametrize(
    ("field", "summary", "subject", "first_line"),
    [
        (
            "announces_effective_date",
            "33 changes assessed; highest severity high. Added — AI model training; severity high.",
            "(33 changes, announces a version effective 28 Jul 2025): Added",
            "Announces a new version effective 28 Jul 2025: the changes apply only from then.",
        ),
        (
            "takes_effect_date",
            "2 changes assessed; highest severity low. Removed — Policy change; severity low.",
            "(2 changes, the version announced for 28 Jul 2025 in force): Removed",
            "The version announced for 28 Jul 2025 is now in force: the changes are what differs from the text announced.",
        ),
    ],
)
def test_an_alert_says_when_a_version_is_announced_and_when_it_is_in_force(
    field: str, summary: str, subject: str, first_line: str
) -> None:
    """X's page carried its coming policy beside the one in force, then dropped the old text the day after it took
    effect (decisions 0157, 0160): the subject and the first lines say which, so the announced changes read as terms
    to come and the day's few changes as what differs from the text announced."""
    alert = sample_alert().model_copy(update={"summary": summary, field: date(2025, 7, 28)})
    rendered = render_alert(alert, tier="monitor", unsubscribe_url="u")
    assert subject in rendered.subject
    assert first_line in rendered.text
    assert first_line.split(":")[0] in (rendered.html or "")


def test_emails_name_laws_and_clause_types_as_the_analyzer_recorded_them() -> None:
    """The alert carries the analyzer's display names: "GDPR", not "gdpr"; the clause type's full name."""
    alert = example_alert()
    assert alert.names["gdpr"] == "GDPR"
    rendered = render_alert(alert, tier="monitor", unsubscribe_url="u")
    assert "Regulations: CCPA/CPRA, EU AI Act, GDPR" in rendered.text
    assert "Clause types: AI model training on user content and prompts, Data retention" in rendered.text
    assert "EU AI Act" in (rendered.html or "")
    assert "eu ai act" not in (rendered.html or "") + rendered.text


def test_a_digest_names_each_change_sets_clause_types_and_laws() -> None:
    """A digest item says what kind of provisions changed ("AI model training on user content and prompts"), not
    only which laws they touch: a weekly reader decides from it which change to open."""
    rendered = render_digest([example_alert()], period="2026-W49", tier="free", unsubscribe_url="u")
    assert "  Clause types: AI model training on user content and prompts, Data retention" in rendered.text
    assert "  Regulations: CCPA/CPRA, EU AI Act, GDPR" in rendered.text
    assert "Data retention" in (rendered.html or "")


def test_a_delivery_queued_before_names_existed_still_renders() -> None:
    """A payload without `names` (stored by an earlier release) validates and shows the ids made readable."""
    payload = example_alert().model_dump(mode="json")
    del payload["names"]
    alert = AlertView.model_validate(payload)
    assert alert.names == {}
    assert (
        "Regulations: ccpa cpra, eu ai act, gdpr"
        in render_alert(alert, tier="monitor", unsubscribe_url="u").text
    )


def test_the_subject_gives_its_line_to_what_changed() -> None:
    """ "[MEDIUM] Grok · Grok Privacy Policy: 16 changes assessed; highest severity medium. Sharing with…" spent a
    third of the subject on what "[MEDIUM]" already says (demo, session 15): the count goes beside the document."""
    alert = sample_alert().model_copy(
        update={
            "summary": "16 changes assessed; highest severity medium. Sharing with third parties, Sale of personal "
            "data: removed (sharing with third parties); promise removed (no sale of your data); severity medium."
        }
    )
    subject = render_alert(alert, tier="monitor", unsubscribe_url="https://cw.example/u").subject
    assert subject.startswith(
        "[HIGH] Leonardo AI · Privacy Policy (16 changes): Sharing with third parties, Sale of personal data: removed"
    )
    assert "assessed" not in subject
    assert len(subject) <= 150
    alert = alert.model_copy(
        update={"summary": "1 change assessed; highest severity high. AI model training: expanded."}
    )
    one = render_alert(alert, tier="monitor", unsubscribe_url="https://cw.example/u").subject
    assert one == "[HIGH] Leonardo AI · Privacy Policy: AI model training: expanded."


def test_the_email_shows_the_most_severe_changes_first_and_counts_the_rest() -> None:
    """Ten changes of mixed severity: the e-mail shows eight, high before medium before low (document order among
    equals), and says how many more are on the change page."""
    base = sample_alert()
    template = base.changes[0]
    severities = ["low", "none", "medium", "low", "high", "low", "medium", "none", "low", "high"]
    changes = [
        template.model_copy(update={"change_id": f"ch-{i}", "severity": sev, "heading": f"Section {i}"})
        for i, sev in enumerate(severities)
    ]
    alert = base.model_copy(update={"changes": changes})
    rendered = render_alert(alert, tier="monitor", unsubscribe_url="https://cw.example/u")
    order = [
        int(line.split("Section ")[1].split()[0]) for line in rendered.text.splitlines() if "Section " in line
    ]
    assert order == [4, 9, 2, 6, 0, 3, 5, 8]
    assert "…and 2 more changes on the change page." in rendered.text


def test_a_digest_counts_document_updates_by_severity() -> None:
    """The demo's digest said "12 changes" for 12 updates holding 335 provision-level changes (session 16)."""
    alerts = [sample_alert("acme", "Acme", n) for n in (1, 2, 3)]
    mixed = [
        alerts[0],
        alerts[1].model_copy(update={"severity": "low"}),
        alerts[2].model_copy(update={"severity": "low"}),
    ]
    assert digest_headline(mixed) == "3 document updates (1 high, 2 low)"
    assert digest_headline(mixed[:1]) == "1 document update (1 high)"
    assert digest_headline([]) == "0 document updates"


def test_a_change_without_severity_reads_no_severity() -> None:
    """eharmony's new version date read "MODIFIED · Privacy Policy · none severity" in its alert (demo, session 17):
    both bodies say "no severity"."""
    base = sample_alert()
    change = base.changes[0].model_copy(update={"severity": "none", "severity_before": "none"})
    alert = base.model_copy(update={"changes": [change]})
    rendered = render_alert(alert, tier="monitor", unsubscribe_url="https://cw.example/u")
    assert "· no severity" in rendered.text
    assert "none severity" not in rendered.text
    assert rendered.html is not None
    assert ">no severity</span>" in rendered.html
    assert "none severity" not in rendered.html


def test_among_equally_severe_changes_the_email_lists_them_as_the_subject_names_them() -> None:
    """Tinder's subject named "Reworded; … severity escalated from medium to high" while its e-mail opened with a
    removed paragraph, also high (demo, session 18): among equals, what escalates or takes something away comes
    first, then what was added or removed, then a rewording, each in document order."""
    base = sample_alert()
    template = base.changes[0]
    rows = [
        ("reworded; severity unchanged (high)", None),
        ("removed (sensitive personal data); severity high", None),
        ("reworded; now covers biometric data; severity escalated from medium to high", "escalated"),
        ("added (targeted advertising); severity high", None),
        ("removed; user protection removed; severity high", None),
    ]
    changes = [
        template.model_copy(
            update={
                "change_id": f"ch-{i}",
                "severity": "high",
                "heading": f"Section {i}",
                "description": description,
                "escalation": escalation,
            }
        )
        for i, (description, escalation) in enumerate(rows)
    ]
    rendered = render_alert(base.model_copy(update={"changes": changes}), tier="monitor", unsubscribe_url="u")
    order = [
        int(line.split("Section ")[1].split()[0]) for line in rendered.text.splitlines() if "Section " in line
    ]
    assert order == [2, 4, 1, 3, 0]


def test_a_page_going_back_and_forth_is_said_so_in_the_digest() -> None:
    """A second return to an earlier text (decision 0162) reads as the page going back and forth, not as a first
    rollback: the digest entry says so, and why it came there rather than the same day."""
    once = sample_alert().model_copy(
        update={"restores_version_id": "v0", "restores_recorded_at": datetime(2026, 11, 2, tzinfo=UTC)}
    )
    again = once.model_copy(update={"alternates": True})
    text = render_digest([again], period="2026-W48", tier="monitor", unsubscribe_url="u").text
    assert "Back to its text of 02 Nov 2026 again, going back and forth." in text
    assert "word for word" not in text
    assert (
        "Back to its text of 02 Nov 2026, word for word."
        in render_digest([once], period="2026-W48", tier="monitor", unsubscribe_url="u").text
    )
    held = render_digest([again], period="2026-W48", tier="monitor", unsubscribe_url="u")
    # it is no weekly digest of a same-day subscriber's, and says what it is in the subject, header and footer
    assert held.subject == "Held from your clausewatch alerts (2026-W48): 1 document update (1 high)"
    assert held.text.startswith("clausewatch · held from your same-day alerts · 2026-W48")
    assert "Your same-day alerts skip a page going back and forth" in held.text
    html = held.html or ""
    assert "held from your same-day alerts · 2026-W48" in html
    assert "Your same-day alerts skip a page going back and forth" in html
    assert "Same-day alerts come with" not in html  # no upgrade pitch to a same-day subscriber
    weekly = render_digest([again], period="2026-W48", tier="free", unsubscribe_url="u")
    assert weekly.subject == "Your clausewatch weekly digest (2026-W48): 1 document update (1 high)"
    assert "skip a page" not in weekly.text
    free = weekly.html or ""
    assert "Same-day alerts come with the watcher, monitor and compliance tiers." in free
    assert (
        "(back and forth, its 02 Nov 2026 text again)"
        in render_alert(again, tier="monitor", unsubscribe_url="u").subject
    )
