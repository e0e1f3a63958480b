"""Each kind of change: added, removed, modified with hints, moved, split, merged and renumbered provisions."""

from __future__ import annotations

from pathlib import Path

import pytest

from clausewatch_differ.compare import compare_texts
from clausewatch_differ.files import compare_history
from clausewatch_differ.worddiff import word_diff

DOC = """# Privacy Policy

## 1. Data we collect

We collect your name and email address when you sign up.

We collect device identifiers when you use the app.

## 2. Retention

We keep your data for 30 days after you close your account.

## 3. Sharing

- We share data with processors that help us run the service.
- We never sell your personal data to anyone.

## 4. Contact

Write to privacy@example.com with any question about this policy.
"""


def _only(result):  # type: ignore[no-untyped-def]
    substantive = [c for c in result.changes if c.significance == "substantive"]
    assert len(substantive) == 1, [c.summary for c in result.changes]
    return substantive[0]


def test_identical_texts_have_no_changes() -> None:
    """Comparing a text with itself reports nothing."""
    assert compare_texts(DOC, DOC).changes == []


def test_an_added_paragraph_is_reported_alone() -> None:
    """A new paragraph is one added change with its heading path; nothing else is flagged."""
    new = DOC.replace("## 3. Sharing", "We delete backups within a year.\n\n## 3. Sharing")
    change = _only(compare_texts(DOC, new))
    assert change.kind == "added"
    assert change.new_text == "We delete backups within a year."
    assert change.old_text is None
    assert change.heading_path == ["Privacy Policy", "2. Retention"]


def test_a_removed_list_item_is_reported() -> None:
    """A deleted list item is one removed change carrying its old text."""
    new = DOC.replace("- We never sell your personal data to anyone.\n", "")
    change = _only(compare_texts(DOC, new))
    assert change.kind == "removed"
    assert change.new_text is None
    assert "never sell" in (change.old_text or "")


def test_a_changed_number_is_a_modification_with_a_word_diff() -> None:
    """30 → 90 days is modified, hinted number_changed, with the number alone highlighted."""
    change = _only(compare_texts(DOC, DOC.replace("30 days", "90 days")))
    assert change.kind == "modified"
    assert "number_changed" in change.hints
    assert ["-", "30"] in change.diff
    assert ["+", "90"] in change.diff
    assert "30" in change.summary
    assert "90" in change.summary


def test_a_changed_modal_is_hinted() -> None:
    """ "never sell" → "may sell" style edits name the modal change."""
    old = DOC.replace("We share data", "We may share data")
    new = DOC.replace("We share data", "We will share data")
    change = _only(compare_texts(old, new))
    assert "modal_changed" in change.hints


def test_a_date_in_may_is_not_a_modal_change() -> None:
    """A "last updated" date moving to "May 5" is a date change, not the modal verb "may" appearing."""
    old = DOC.replace("We share data", "Updated March 3, 2026. We share data")
    new = DOC.replace("We share data", "Updated May 5, 2026. We share data")
    change = _only(compare_texts(old, new))
    assert "modal_changed" not in change.hints
    assert "date_changed" in change.hints


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Version: November 27th 2025", "Version: May 12th 2026"),
        ("Updated April 9, 2026.", "Updated May 9, 2026."),
        ("Last updated: March, 2026.", "Last updated: May, 2026."),
        ("Effective 1 June 2026.", "Effective 1st of May 2026."),
    ],
)
def test_a_month_named_may_in_any_date_form_is_not_a_modal(before: str, after: str) -> None:
    """Dates written "May 12th", "May, 2026" or "1st of May", or where the diff inserts a bare "May", add no modal."""
    old = DOC.replace("We share data", f"{before} We share data")
    new = DOC.replace("We share data", f"{after} We share data")
    change = _only(compare_texts(old, new))
    assert "modal_changed" not in change.hints, change.summary


def test_a_modal_change_names_only_the_modals_that_changed() -> None:
    """ "may share … will keep" → "must share … will keep" reads may → must; the unchanged "will" is not named."""
    old = DOC.replace("We share data", "We will keep logs. We may share data")
    new = DOC.replace("We share data", "We will keep logs. We must share data")
    change = _only(compare_texts(old, new))
    assert "modal_changed" in change.hints
    assert "modal changed may → must" in change.summary


def test_a_modal_only_added_or_removed_is_said_so() -> None:
    """ "modal changed - → may" read like a typo (demo, session 15): a modal that only came is "added", one that
    only went is "removed"."""
    added = _only(compare_texts(DOC, DOC.replace("We share data", "We may share data")))
    assert "modal added: may" in added.summary
    removed = _only(compare_texts(DOC.replace("We share data", "We may share data"), DOC))
    assert "modal removed: may" in removed.summary
    assert "-" not in removed.summary.split(":")[1].split(";")[0]


def test_a_changed_address_is_named_whole_and_is_no_rewording() -> None:
    """Grok moved its privacy requests from https://xai-privacy.relyance.ai/ to https://x.ai/privacy-portal/: the
    change read "reworded; "xai-privacy" → "x"" and counted 8 words each way (decision 0138)."""
    old = DOC.replace("Write to privacy@example.com", "Submit a request at https://xai-privacy.relyance.ai/")
    new = DOC.replace("Write to privacy@example.com", "Submit a request at https://x.ai/privacy-portal/")
    change = _only(compare_texts(old, new))
    assert change.hints == ["address_changed"]
    assert change.summary == (
        'Modified a paragraph under "Privacy Policy > 4. Contact": address changed '
        '"https://xai-privacy.relyance.ai/" → "https://x.ai/privacy-portal/".'
    )
    mail = _only(compare_texts(DOC, DOC.replace("privacy@example.com", "dpo@example.com")))
    assert 'address changed "privacy@example.com" → "dpo@example.com"' in mail.summary
    assert ["-", "privacy@example.com"] in mail.diff


def test_an_address_added_beside_other_words_keeps_the_words_count() -> None:
    """An address added with new words is named, and the words (the address one of them, as the change page counts
    them) make an expansion."""
    new = DOC.replace(
        "with any question about this policy.",
        "with any question about this policy, or use our "
        "form at https://example.com/privacy-requests to exercise your rights.",
    )
    change = _only(compare_texts(DOC, new))
    assert 'address added: "https://example.com/privacy-requests"' in change.summary
    assert "expanded (+10 words)" in change.summary


def test_digits_inside_an_address_are_not_a_changed_number() -> None:
    """ "/v1/" → "/v2/" in a link is an address change, not "number changed 1 → 2"."""
    old = DOC.replace("Write to privacy@example.com", "See https://example.com/v1/privacy")
    new = DOC.replace("Write to privacy@example.com", "See https://example.com/v2/privacy")
    change = _only(compare_texts(old, new))
    assert "number_changed" not in change.hints
    assert "address_changed" in change.hints


def test_an_added_opt_out_is_hinted_and_the_text_grew() -> None:
    """A sentence that adds an opt-out route is hinted opt_out_added and expanded."""
    new = DOC.replace(
        "when you use the app.", "when you use the app. You can opt out of this in Settings at any time."
    )
    change = _only(compare_texts(DOC, new))
    assert "opt_out_added" in change.hints
    assert "expanded" in change.hints
    removed = _only(compare_texts(new, DOC))
    assert "opt_out_removed" in removed.hints
    assert "narrowed" in removed.hints


def test_words_are_counted_as_readers_count_them() -> None:
    """ "end-to-end encrypted" → "encrypted" lost one word, not three; one word is "1 word"."""
    old = DOC.replace("We keep your data", "We keep your end-to-end encrypted data")
    new = DOC.replace("We keep your data", "We keep your encrypted data")
    change = _only(compare_texts(old, new))
    assert "narrowed (-1 word)" in change.summary
    grown = _only(compare_texts(DOC, DOC.replace("We keep your data", "We keep all your data")))
    assert "expanded (+1 word)" in grown.summary
    many = _only(compare_texts(DOC, DOC.replace("We keep your data", "We keep all of your own data")))
    assert "expanded (+3 words)" in many.summary


def test_a_reworded_sentence_is_modified_not_added_and_removed() -> None:
    """A sentence rewritten with most words kept is paired with its old self."""
    new = DOC.replace("when you sign up", "when you create an account")
    change = _only(compare_texts(DOC, new))
    assert change.kind == "modified"
    assert "reworded" in change.hints


def test_a_moved_paragraph_is_a_move_not_an_add_and_a_remove() -> None:
    """A paragraph moved to another section is one moved change with both paths in its summary."""
    para = "We collect device identifiers when you use the app.\n\n"
    new = DOC.replace(para, "").replace("## 4. Contact\n\n", "## 4. Contact\n\n" + para)
    result = compare_texts(DOC, new)
    change = _only(result)
    assert change.kind == "moved"
    assert change.heading_path == ["Privacy Policy", "4. Contact"]
    assert "1. Data we collect" in change.summary


def test_a_split_paragraph_keeps_its_identity() -> None:
    """One paragraph cut into two with the same words is a cosmetic split, not a removal and two additions."""
    old = DOC.replace(
        "We collect your name and email address when you sign up.",
        "We collect your name and email address when you sign up, and we verify the email address by sending a code.",
    )
    new = DOC.replace(
        "We collect your name and email address when you sign up.",
        "We collect your name and email address when you sign up,\n\nand we verify the email address by sending a code.",
    )
    result = compare_texts(old, new)
    assert [(c.kind, c.significance) for c in result.changes] == [("modified", "cosmetic")]
    assert "split" in result.changes[0].hints
    assert len(result.changes[0].new_blocks) == 2


def test_a_merge_with_an_edit_is_one_substantive_modification() -> None:
    """Two paragraphs joined into one, with a word changed, are one modified change hinted merged."""
    new = DOC.replace(
        "We collect your name and email address when you sign up.\n\nWe collect device identifiers when you use the app.",
        "We collect your name and email address when you sign up. We collect device identifiers when you open the app.",
    )
    change = _only(compare_texts(DOC, new))
    assert change.kind == "modified"
    assert "merged" in change.hints
    assert len(change.old_blocks) == 2


_ONE_PARAGRAPH = (
    "We collect your name, your email address and your phone number when you register, the photos and messages you "
    "upload to the service, and your approximate location derived from your IP address."
)
_AS_A_LIST = """When you sign up, we collect:

* identifiers such as your full legal name, email address and mobile phone number;
* content you create, including photos, videos and chat messages you upload;
* approximate location, which we infer from your IP address and device settings."""


def test_a_paragraph_reworded_into_a_list_is_one_modification() -> None:
    """A paragraph rewritten as a lead-in and items, reworded on the way, is the paragraph modified ("made into a
    list"), its diff showing what the list adds, not one provision removed and four added."""
    old = DOC.replace("We collect your name and email address when you sign up.", _ONE_PARAGRAPH)
    new = DOC.replace("We collect your name and email address when you sign up.", _AS_A_LIST)
    change = _only(compare_texts(old, new))
    assert change.kind == "modified"
    assert change.hints[0] == "split"
    assert len(change.new_blocks) == 4  # the lead-in and its three items
    assert change.summary.startswith(
        'Modified a paragraph under "Privacy Policy > 1. Data we collect": made into a list'
    )
    inserted = " ".join(text for op, text in change.diff if op == "+")
    assert "videos" in inserted
    assert "device settings" in inserted


def test_a_list_reworded_into_a_paragraph_is_one_modification() -> None:
    """The reverse: a lead-in and its items rewritten as one paragraph are that paragraph, "made from a list"."""
    old = DOC.replace("We collect your name and email address when you sign up.", _AS_A_LIST)
    new = DOC.replace("We collect your name and email address when you sign up.", _ONE_PARAGRAPH)
    change = _only(compare_texts(old, new))
    assert change.kind == "modified"
    assert "merged" in change.hints
    assert len(change.old_blocks) == 4
    assert ": made from a list" in change.summary


def test_a_lead_in_that_rewords_the_paragraph_joins_its_list() -> None:
    """Items that keep the paragraph's words split it at the plain bar; the lead-in above them, which carries its
    opening reworded, is part of the split and not a paragraph added."""
    old = DOC.replace("We collect your name and email address when you sign up.", _ONE_PARAGRAPH)
    listed = """When you register for an account, we collect the following information:

* your full name, email address and phone number;
* the photos, videos and messages you upload to the service;
* your approximate location, which we derive from your IP address."""
    new = DOC.replace("We collect your name and email address when you sign up.", listed)
    change = _only(compare_texts(old, new))
    assert change.kind == "modified"
    assert len(change.new_blocks) == 4
    assert "When you register for an account" in (change.new_text or "")


def test_a_new_list_below_a_kept_paragraph_is_added() -> None:
    """A list that only follows a paragraph, with words of its own, is not taken for the paragraph's pieces."""
    listed = """We collect your name and email address when you sign up.

We also receive, from partners:

* advertising identifiers from measurement partners;
* purchase records from payment processors."""
    new = DOC.replace("We collect your name and email address when you sign up.", listed)
    result = compare_texts(DOC, new)
    assert sorted(c.kind for c in result.changes) == ["added", "added", "added"]


def test_items_regrouped_into_other_items_keep_the_plain_bar() -> None:
    """The list bar is for a paragraph and a list: Grammarly's rewritten purposes list (bundled history, v003) keeps
    its lead-in as a reworded paragraph, not merged into the first purpose."""
    history = Path(__file__).resolve().parents[2] / "data" / "ota" / "Grammarly__Privacy_Policy"
    changes = compare_history(history)[2]["changes"]
    lead_in = [
        c for c in changes if (c["new_text"] or "").startswith("We use your personal data for the following")
    ]
    assert [(c["kind"], c["hints"][:1]) for c in lead_in] == [("modified", ["reworded"])]
    assert not any(
        "merged" in c["hints"] and (c["new_text"] or "").startswith("* Providing") for c in changes
    )


def test_a_first_edit_the_details_already_name_is_not_repeated() -> None:
    """Bumble's "modal changed can → will; reworded; "can" → "will"" and a contents entry's "number changed 9 → 8;
    …; "9" → "8"" said the one edit twice (52 of 2,454 modified changes of the bundled histories)."""
    old = DOC.replace(
        "We collect device identifiers when you use the app.", "We can delete your data when you ask."
    )
    new = DOC.replace(
        "We collect device identifiers when you use the app.", "We will delete your data when you ask."
    )
    change = _only(compare_texts(old, new))
    assert "modal changed can → will" in change.summary
    assert '"can" → "will"' not in change.summary


def test_a_table_row_is_quoted_as_its_cells() -> None:
    """Bumble's purposes table: "Added a table row …: "| ##### BFF Offer the chance … | …"" quoted the Markdown."""
    table = "| Purpose | Data |\n| --- | --- |\n| ##### BFF Offer the chance to join Hives | Profile data |\n"
    result = compare_texts(DOC, DOC + "\n" + table)
    summaries = [c.summary for c in result.changes if c.kind == "added"]
    assert any(s.endswith(': "BFF Offer the chance to join Hives — Profile data"') for s in summaries), (
        summaries
    )
    assert not any("|" in s or "#" in s for s in summaries)


def test_renumbered_sections_are_matched_and_marked() -> None:
    """Inserting a section renumbers the ones after it; each keeps its identity and is hinted renumbered."""
    new = (
        DOC.replace("## 4. Contact", "## 5. Contact")
        .replace("## 3. Sharing", "## 4. Sharing")
        .replace("## 2. Retention", "## 2. Security\n\nWe encrypt data at rest.\n\n## 3. Retention")
    )
    result = compare_texts(DOC, new)
    kinds = {(c.kind, tuple(c.hints)) for c in result.changes}
    assert ("added", ()) in kinds
    renumbered = [c for c in result.changes if "renumbered" in c.hints]
    assert len(renumbered) == 3
    assert all(c.kind == "modified" for c in renumbered)
    # Section bodies did not change, so the body paragraphs are not reported at all.
    assert all(result.old[c.old_blocks[0]].kind == "heading" for c in result.changes if c.old_blocks)


def test_a_one_sentence_edit_flags_one_provision_only() -> None:
    """Editing one sentence of a long document flags that provision, not the document."""
    long_doc = DOC + "\n".join(
        f"\nParagraph {n} says something different about topic {n}." for n in range(200)
    )
    edited = long_doc.replace("topic 120.", "topic one hundred and twenty.")
    result = compare_texts(long_doc, edited)
    assert [c.kind for c in result.changes] == ["modified"]
    assert result.changes[0].old_text == "Paragraph 120 says something different about topic 120."


def test_changes_come_in_document_order_with_a_summary() -> None:
    """Changes are ordered as in the new document and the change set has a one-line summary."""
    new = DOC.replace("30 days", "90 days").replace("privacy@example.com", "dpo@example.com")
    result = compare_texts(DOC, new)
    assert [c.heading_path[-1] for c in result.changes] == ["2. Retention", "4. Contact"]
    assert result.summary().startswith("2 substantive changes (2 modified)")


def test_very_long_documents_align_by_patience_diff_without_spurious_moves() -> None:
    """Past the exact-LCS budget, unique paragraphs anchor the alignment: edits are modifications, not moves."""
    old = "\n\n".join(
        f"Paragraph {n} states rule number {n} of the agreement in plain words." for n in range(6000)
    )
    new = old.replace("rule number 100 of", "rule number 100 (amended) of").replace(
        "rule number 4000 of", "rule number 4000 (amended) of"
    )
    result = compare_texts(old, new)
    assert [(c.kind, c.significance) for c in result.changes] == [("modified", "substantive")] * 2


def test_the_summary_leads_with_a_change_other_than_a_new_date() -> None:
    """eharmony's change set was summarised by its first change, "Version: November 27th 2025" → "May 12th 2026",
    while it removed the right to complain to an authority: a date-only change no longer leads the summary."""
    dated = "# Privacy Policy\n\nLast updated: May 1, 2026\n" + DOC.removeprefix("# Privacy Policy\n")
    new = dated.replace("May 1, 2026", "June 3, 2026").replace(
        "- We never sell your personal data to anyone.\n", ""
    )
    result = compare_texts(dated, new)
    assert [c.kind for c in result.changes] == ["modified", "removed"]
    summary = result.summary()
    assert summary.startswith(
        "2 substantive changes (1 modified, 1 removed), one of them a new date. First: "
    )
    assert "First: Removed a list item" in summary
    only_date = compare_texts(dated, dated.replace("May 1, 2026", "June 3, 2026")).summary()
    assert "First: Modified a paragraph" in only_date
    assert "a new date" not in only_date
    reworded = compare_texts(dated, dated.replace("Last updated: May 1, 2026", "Last revised: June 3, 2026"))
    assert "a new date" not in reworded.summary()


def test_the_summary_leads_with_the_paragraphs_under_a_new_title() -> None:
    """eharmony's change set removing the right to complain was summarised "First: Removed a heading …" (demo,
    session 18): the paragraph under the title leads; a renamed section alone still leads its own summary."""
    sentence = "We keep your data for 30 days after you close your account."
    new = DOC.replace(sentence, f"{sentence}\n\n**Biometric Data**\n\nWe may ask to scan your face.")
    summary = compare_texts(DOC, new).summary()
    assert summary.startswith("2 substantive changes (2 added). First: Added a paragraph")
    assert "scan your face" in summary
    renamed = compare_texts(DOC, DOC.replace("## 2. Retention", "## 2. Retention and deletion")).summary()
    assert "First: Modified a heading" in renamed


def test_a_date_line_that_gained_a_link_is_still_a_new_date() -> None:
    """Grok's "Effective: July 10, 2025" → "Effective: April 4, 2026 (previous version)" led the summary of a change
    set that removed "We do not sell your personal information" (demo, session 15)."""
    dated = "# Privacy Policy\n\nEffective: July 10, 2025\n" + DOC.removeprefix("# Privacy Policy\n")
    new = dated.replace(
        "Effective: July 10, 2025", "Effective: April 4, 2026 ([previous version](/legal/previous))"
    ).replace("- We never sell your personal data to anyone.\n", "")
    summary = compare_texts(dated, new).summary()
    assert ", one of them a new date. First: Removed a list item" in summary
    sentence = dated.replace("Effective: July 10, 2025", "From July 10, 2025 we keep logs for a year.")
    rewritten = sentence.replace(
        "From July 10, 2025 we keep logs for a year.",
        "From April 4, 2026 we keep logs and photos for two years.",
    ).replace("- We never sell your personal data to anyone.\n", "")
    assert "a new date" not in compare_texts(sentence, rewritten).summary()


def test_a_new_date_alone_is_not_also_a_rewording() -> None:
    """ "Last updated: March 18, 2026" → "April 9, 2026" read "date changed; reworded" (demo, session 15)."""
    dated = "# Privacy Policy\n\nLast updated: March 18, 2026\n" + DOC.removeprefix("# Privacy Policy\n")
    change = _only(compare_texts(dated, dated.replace("March 18, 2026", "April 9, 2026")))
    assert change.hints == ["date_changed"]
    assert (
        change.summary == 'Modified a paragraph under "Privacy Policy": date changed; "March 18" → "April 9".'
    )


def test_lines_joined_into_one_paragraph_say_so() -> None:
    """An address whose lines became one paragraph read "merged from several of a paragraph" (demo, session 15)."""
    lines = "MG Japan Services GK\n\n4F Sumitomo Fudosan Azabu Bldg\n\n1-4-1 Mita\n\nJapan\n"
    old = DOC.replace("Write to privacy@example.com with any question about this policy.\n", lines)
    new = DOC.replace(
        "Write to privacy@example.com with any question about this policy.\n",
        "MG Japan Services GK 4F Sumitomo Fudosan Azabu Bldg 1-4-1 Mita Japan\n",
    )
    (change,) = compare_texts(old, new).changes
    assert change.significance == "cosmetic"
    assert change.summary == (
        'Merged several lines into one paragraph under "Privacy Policy > 4. Contact" (whitespace).'
    )


def test_a_relative_link_target_is_one_token_of_the_diff() -> None:
    """Grok's "(previous version)" link to "/legal/privacy-policy/previous-2025-07-10" was cut at its dashes and its
    "2025" matched the old year: the e-mail showed "[+…previous-+]2025[+-07-10) )+]" (demo, session 15)."""
    diff = word_diff(
        "Effective: July 10, 2025",
        "Effective: April 4, 2026 ( [previous version](/legal/privacy-policy/previous-2025-07-10) )",
    )
    assert ["=", "2025"] not in diff
    assert ["+", "2026 ( [previous version](/legal/privacy-policy/previous-2025-07-10) )"] in diff


def _contact_changed(old_line: str, new_line: str):  # type: ignore[no-untyped-def]
    """The one change between DOC with its contact line replaced by `old_line` and by `new_line`."""
    line = "Write to privacy@example.com with any question about this policy."
    return _only(compare_texts(DOC.replace(line, old_line), DOC.replace(line, new_line)))


@pytest.mark.parametrize(
    ("old_address", "new_address", "detail"),
    [
        (
            "eHarmony UK Ltd., Customer Care, BM Box 5904, London WC1N 3XX, United Kingdom",
            "eHarmony UK Ltd., Customer Care, 3rd Floor, 1 Ashley Road, Altrincham, Cheshire WA14 2DT, United Kingdom",
            'postal address changed "BM Box 5904", "WC1N 3XX" → "3rd Floor", "1 Ashley Road", "WA14 2DT"',
        ),
        (
            "Reddit, Inc., 1455 Market Street, Suite 1600, San Francisco, CA 94103",
            "Reddit, Inc., 303 2nd Street, Suite 500S, San Francisco, CA 94107",
            'postal address changed "1455 Market Street", "Suite 1600", "CA 94103" → "303 2nd Street", "Suite 500S", '
            '"CA 94107"',
        ),
    ],
)
def test_a_moved_postal_address_is_named_not_read_as_numbers(
    old_address: str, new_address: str, detail: str
) -> None:
    """eharmony's controller moved and the change read "number changed 5904 → 1, 2" (demo, session 16): the digits of
    a street, box, floor, suite or postcode belong to the address, which is named whole."""
    change = _contact_changed(f"Write to {old_address}.", f"Write to {new_address}.")
    assert "postal_address_changed" in change.hints
    assert "number_changed" not in change.hints
    assert detail in change.summary


def test_a_postal_address_dropped_with_nothing_in_its_place_reads_removed() -> None:
    """Grok replaced its external DPO's address ("Taceo Limited, Riverbank House, 2 Swan Lane, London") by an e-mail
    address; the alert said "its postal address changed" (demo, session 17)."""
    old = DOC.replace(
        "Write to privacy@example.com",
        "Write to our DPO: Taceo Limited, Riverbank House, 2 Swan Lane, London, or",
    )
    new = DOC.replace("Write to privacy@example.com", "Write to our DPO at privacy@example.com, or")
    change = _only(compare_texts(old, new))
    assert "postal_address_removed" in change.hints
    assert "postal_address_changed" not in change.hints
    assert 'postal address removed: "2 Swan Lane"' in change.summary


def test_a_link_with_a_short_label_is_one_token_of_the_diff() -> None:
    """Grok's request portal moved, written "[URL](URL)": label and target diffed apart, its e-mail read
    "[[-A-][+B+]]([-A-][+B+])" (demo, session 19); whole, the link is replaced as one. So is "[contacting us](…)";
    a relative target and a label of more than four words are diffed as before."""
    old = (
        "Submit a request at [https://xai-privacy.relyance.ai/](https://xai-privacy.relyance.ai/) and include"
    )
    new = "Submit a request at [https://x.ai/privacy-portal/](https://x.ai/privacy-portal/) and include"
    assert word_diff(old, new) == [
        ["=", "Submit a request at "],
        ["-", "[https://xai-privacy.relyance.ai/](https://xai-privacy.relyance.ai/)"],
        ["+", "[https://x.ai/privacy-portal/](https://x.ai/privacy-portal/)"],
        ["=", " and include"],
    ]
    contact = word_diff(
        "by [contacting us](https://a.example/new) .", "by [contacting us](https://b.example/) ."
    )
    assert contact[1:3] == [
        ["-", "[contacting us](https://a.example/new)"],
        ["+", "[contacting us](https://b.example/)"],
    ]
    # A relative target keeps the label out of the change: "[here]([-/a-][+/b+])", not "[-here-][+here+]".
    relative = word_diff(
        "available [here](/privacy-policy-6-1-2024) .", "available [here](/privacy-policy-8-25-2024) ."
    )
    assert ["-", "/privacy-policy-6-1-2024"] in relative
    assert ["=", "available [here]("] in relative
    long_label = word_diff(
        "read [our long policy on other things](/c) now", "read [our long policy on similar things](/c) now"
    )
    assert ["-", "other"] in long_label
    assert ["+", "similar"] in long_label


def test_a_japanese_floor_is_part_of_the_address_not_a_number() -> None:
    """Tinder's representative in Japan dropped "4F" before "Sumitomo Fudosan Azabu Bldg": the alert read "number
    removed: 4" (closing notes, sessions 17–18); a floor set before its building is an address part."""
    address = "MG Japan Services GK, {floor}Sumitomo Fudosan Azabu Bldg, 1-4-1 Mita, Minato-ku, Tokyo"
    change = _contact_changed(
        f"Write to {address.format(floor='4F ')}.", f"Write to {address.format(floor='')}."
    )
    assert "postal_address_removed" in change.hints
    assert "number_removed" not in change.hints
    assert 'postal address removed: "4F"' in change.summary


@pytest.mark.parametrize(
    ("old_end", "new_end", "detail"),
    [
        ("any other person; and", "any other person;", 'list conjunction "and" dropped'),
        ("a security issue.", "a security issue; or", 'list conjunction "or" added'),
        ("any of the Companies;", "any of the Companies; and/or", 'list conjunction "and/or" added'),
    ],
)
def test_the_conjunction_a_list_item_passes_on_is_no_narrowing(
    old_end: str, new_end: str, detail: str
) -> None:
    """Qwen's "(e) … to protect your vital interests or those of any other person; and" lost its "and" when an item
    (f) was added after it, and the alert read "narrowed" (demo, session 17): only the list's joint changed."""
    item = "* disclose it where we believe it necessary to protect your vital interests or those of "
    old = DOC.replace("Write to privacy@example.com with any question about this policy.", item + old_end)
    new = DOC.replace("Write to privacy@example.com with any question about this policy.", item + new_end)
    change = _only(compare_texts(old, new))
    assert change.hints == ["list_joint_changed"]
    assert detail in change.summary


def test_and_turned_or_is_not_a_joint_only() -> None:
    """ "A; and" → "A; or" makes conditions alternatives: a change of meaning, read as one."""
    sentence = "Write to privacy@example.com with any question about this policy."
    old = DOC.replace(sentence, "* You must be 18; and")
    new = DOC.replace(sentence, "* You must be 18; or")
    change = _only(compare_texts(old, new))
    assert "list_joint_changed" not in change.hints
    assert change.hints == ["reworded"]


@pytest.mark.parametrize(
    ("old_words", "new_words", "hint", "detail"),
    [
        (
            "such as text, files, images and audio (if any)",
            "such as text, files, images, audio and video (if any)",
            "expanded",
            'expanded (+"video"; the rest rearranged)',
        ),
        (
            "information about your activity and devices",
            "your devices and information",
            "narrowed",
            'narrowed (-"about", "activity"; the rest rearranged)',
        ),
    ],
)
def test_words_that_only_moved_are_no_rewording(
    old_words: str, new_words: str, hint: str, detail: str
) -> None:
    """Qwen's "images, [+audio +]and [-audio-][+video+]" read "reworded; added "audio"" (demo, session 17): the diff's
    runs insert two words and delete one, but only "video" is new. Words counted over both texts name it."""
    sentence = "Write to privacy@example.com with any question about this policy."
    old = DOC.replace(sentence, f"We collect content you upload, {old_words}.")
    new = DOC.replace(sentence, f"We collect content you upload, {new_words}.")
    change = _only(compare_texts(old, new))
    assert change.hints == [hint]
    assert change.summary.endswith(f": {detail}.")


def test_numbers_that_are_no_address_stay_numbers() -> None:
    """Ages and article numbers have no street, box or postcode around them."""
    old = DOC.replace(
        "Write to privacy@example.com", "Users under 16 may write under Article 8 to privacy@example.com"
    )
    new = old.replace("under 16", "under 13")
    change = _only(compare_texts(old, new))
    assert change.hints[:1] == ["number_changed"]
    assert "postal_address_changed" not in change.hints


def test_a_section_title_added_or_reworded_is_hinted_as_a_heading() -> None:
    """A new bold title and its paragraph: the title's change says "heading", the paragraph's does not; a reworded
    title says it too (decision 0152)."""
    sentence = "We keep your data for 30 days after you close your account."
    title = "**Biometric Information Collected with Your Consent.**"
    added = compare_texts(
        DOC, DOC.replace(sentence, f"{sentence}\n\n{title}\n\nWe may ask to scan your face.")
    )
    by_text = {c.new_text: c.hints for c in added.changes}
    assert by_text[title][0] == "heading"
    assert "heading" not in by_text["We may ask to scan your face."]
    reworded = compare_texts(DOC, DOC.replace("## 2. Retention", "## 2. Retention and deletion"))
    assert [c.hints[0] for c in reworded.changes] == ["heading"]
