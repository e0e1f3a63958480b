"""Extraction of HTML, PDF, Markdown and text into clean structured text."""

from __future__ import annotations

import zlib

import pytest

from clausewatch_differ.blocks import Block, parse_blocks
from clausewatch_differ.extract import ExtractionError, Spec, extract, html_to_markdown

PAGE = """<!doctype html><html><head><title>x</title><script>var a=1;</script><style>p{}</style></head><body>
<header><nav><ul><li><a href="/">Home</a></li></ul></nav></header>
<div id="onetrust-banner-sdk">We use cookies. <button>Accept</button></div>
<div class="content"><h1>Privacy Policy</h1><p>Effective <b>1 March 2026</b>.</p>
<h2>What we collect</h2><ul><li>Your <a href="https://x.com/def?utm_source=a">name</a></li><li>Your email<ul><li>and its domain</li></ul></li></ul>
<table><tr><th>Purpose</th><th>Basis</th></tr><tr><td>Billing</td><td>Contract</td></tr></table>
<div class="promo">Download our app!</div></div>
<footer>© Acme · <a href="/sitemap">Sitemap</a></footer></body></html>"""


def test_html_keeps_headings_lists_and_tables_and_drops_page_furniture() -> None:
    """Navigation, cookie banners, scripts and footers go; headings, nested lists, tables and links stay."""
    text = html_to_markdown(PAGE)
    assert "# Privacy Policy" in text
    assert "## What we collect" in text
    assert "- Your [name](https://x.com/def?utm_source=a)" in text
    assert "  - and its domain" in text
    assert "| Purpose | Basis |" in text
    assert "| Billing | Contract |" in text
    for gone in ("Home", "cookies", "var a", "Sitemap", "©"):
        assert gone not in text


def test_print_download_and_back_to_top_controls_are_not_document_text() -> None:
    """Blocks that are only a page control (eharmony's "Print or download as PDF file" link to the page itself, "Back
    to top", "Download the PDF version") are dropped; a sentence using the same words, or a control with other
    words in it, stays."""
    html = """<main>
      <p><a href="https://www.eharmony.co.uk/legal/privacy-policy/">Print or download as PDF file</a></p>
      <h2>Your rights</h2>
      <p>You may download a copy of your data at any time.</p>
      <ul><li><a href="/privacy.pdf">Download the PDF version</a></li><li>Download your data</li></ul>
      <p><a href="#top">Back to top</a></p>
    </main>"""
    markdown = html_to_markdown(html)
    assert "Print or download" not in markdown
    assert "PDF version" not in markdown
    assert "Back to top" not in markdown
    assert "You may download a copy of your data at any time." in markdown
    assert "- Download your data" in markdown


_MENU_PAGE = """<body><div class="prose">
  <h1>Privacy Policy</h1>
  <p>We collect your email address. Read our <a href="/cookies">Cookie Policy</a>.</p>
  <h2>Contents</h2>
  <ul>{toc}</ul>
  <h2>12. Contact</h2>
  <ul><li>You can contact our Data Protection Officer at <a href="mailto:dpo@x.example">dpo@x.example</a></li></ul>
  <p><a href="https://x.example/subprocessors">See the full list of our subprocessors and their locations</a></p>
</div>
<div class="site-links">
  <div><span>Try Grok On</span><div><a href="https://grok.com">Web</a></div><div><a href="/ios">iOS</a></div>
    <div><a href="/android">Android</a></div></div>
  <div><span>Products</span><div><a href="/grok">Grok</a></div><div><a href="https://x.com">𝕏</a></div>
    <div><a href="https://grokipedia.com">Grokipedia</a></div><div><a href="/api">API</a></div></div>
  <div><span>Company</span><div><a href="/careers">Careers</a></div><div><a href="/legal">Legal</a></div></div>
</div></body>"""
_TOC = "".join(f'<li><a href="#s{n}">{n}. Section {n}</a></li>' for n in range(1, 9))


def test_a_site_menu_left_in_an_undeclared_page_is_not_document_text() -> None:
    """Without selectors, a footer built from plain divs (Grok's: "Products", "𝕏", "Grokipedia"…) is dropped;
    the policy's links, its single-link paragraph and its table of contents of in-page anchors stay."""
    markdown = html_to_markdown(_MENU_PAGE.format(toc=_TOC))
    for menu_word in ("Try Grok On", "Grokipedia", "𝕏", "Careers", "Products", "[Web]"):
        assert menu_word not in markdown
    assert "[Cookie Policy](/cookies)" in markdown
    assert "[dpo@x.example](mailto:dpo@x.example)" in markdown
    assert "See the full list of our subprocessors" in markdown
    assert "- 8. Section 8" in markdown


def test_a_declared_selector_is_trusted_with_its_menus() -> None:
    """A document whose catalogue entry selects the region keeps every link run in it: the operator chose it."""
    markdown = html_to_markdown(_MENU_PAGE.format(toc=_TOC), Spec(select=("body",)))
    assert "[Grokipedia](https://grokipedia.com)" in markdown


def test_short_link_lists_and_runs_with_prose_are_kept() -> None:
    """Five bare links, or six whose run is mostly words outside links, are not a menu."""
    five = "".join(f'<li><a href="/p{n}">Policy {n}</a></li>' for n in range(5))
    assert "[Policy 4](/p4)" in html_to_markdown(f"<body><p>Related policies:</p><ul>{five}</ul></body>")
    mixed = "".join(
        f'<li><a href="/v{n}">Vendor {n}</a></li><li>Hosting in Frankfurt and Dublin</li>' for n in range(6)
    )
    assert "[Vendor 5](/v5)" in html_to_markdown(f"<body><ul>{mixed}</ul></body>")


def test_catalogue_selectors_choose_and_remove_content() -> None:
    """The document spec's select and remove selectors are applied."""
    text = extract(
        PAGE.encode(), "text/html", Spec.from_json({"select": ".content", "remove": [".promo", "table"]})
    )
    assert "Download our app" not in text
    assert "Billing" not in text
    assert "Privacy Policy" in text
    assert "utm_source" not in text  # cleaned after extraction


def test_blocks_carry_heading_paths_and_kinds() -> None:
    """Provisions are split into headings, paragraphs, items and rows, each under its heading path."""
    blocks = parse_blocks(extract(PAGE.encode(), "text/html"))
    item = next(b for b in blocks if "and its domain" in b.text)
    assert item.kind == "item"
    assert item.level == 1
    assert item.heading_path == ("Privacy Policy", "What we collect")
    assert [b.kind for b in blocks if b.kind == "row"] == ["row", "row"]


def test_setext_headings_and_escaped_numbers_become_clean_heading_paths() -> None:
    """OTA-style setext headings with escaped numbering give readable heading paths."""
    blocks = parse_blocks("1\\. COLLECTION\n-------------\n\nWe collect data.\n")
    assert blocks[0].kind == "heading"
    assert blocks[1].heading_path == ("1. COLLECTION",)


QWEN = """![](//assets.alicdn.com/g/qwenweb/qwen-chat-fe/0.2.16/static/qwen_icon_light_84.png)

# Qwen Chat Privacy Policy

## Last updated: March 18, 2026

Thank you for using Qwen Chat.

## I. How We Collect Your Personal Data

[](https://chat.qwen.ai/)

We collect the data you give us.
"""


def test_a_date_set_as_a_heading_heads_nothing() -> None:
    """Qwen Chat's "Last updated: March 18, 2026" is a heading in its page: every provision's path read "Privacy
    Policy > Last updated: Ma…", and a new date would change every path (demo, session 15)."""
    blocks = parse_blocks(QWEN)
    date = next(b for b in blocks if b.text.startswith("Last updated"))
    assert date.kind == "heading"
    thanks = next(b for b in blocks if b.text.startswith("Thank you"))
    assert thanks.heading_path == ("Qwen Chat Privacy Policy",)
    collect = next(b for b in blocks if b.text.startswith("We collect"))
    assert collect.heading_path == ("Qwen Chat Privacy Policy", "I. How We Collect Your Personal Data")
    moved = parse_blocks(QWEN.replace("March 18, 2026", "May 28, 2026"))
    assert [b.heading_path for b in moved] == [b.heading_path for b in blocks]


# Tinder's page sets its numbered sections as h2, h3 or bold lines alike (tests/data/ota/Tinder__Privacy_Policy).
TINDER = """# Privacy Policy

## **2\\. Where This Privacy Policy Applies**

This policy applies to our apps.

### **3\\. Data We Collect**

**Information you give us**

You give us your profile.

## **4\\. Why and How We Use Your Data**

To run the service.

**5\\. How We Share Data**

With our vendors.

### **6\\. How Match Group Companies Work Together**

They share services.

### **7\\. Cross-Border Data Transfers**

We transfer data abroad.

**8\\. Your Rights**

You may access your data.

### **9\\. How Long We Retain Your Data**

We keep data while you use the service.

### **11\\. Privacy Policy Changes**

We may change this policy.

### 12\\. How to Contact Us

#### 1\\. Europe

Write to our representative.

#### 2\\. Japan

Write to our Tokyo office.
"""


def test_numbered_sections_are_siblings_whatever_their_tags() -> None:
    """By tags alone "3. Data We Collect" (an h3) sat inside "2. Where This Privacy Policy Applies" (an h2) and
    "8. Your Rights" (bold) inside "7. Cross-Border Data Transfers", so the demo's alert placed the user's rights
    under transfers abroad. The next number of a sequence, or the one after a missing number (10), is a sibling;
    a list of headings restarting at 1 inside a section stays inside it."""
    paths = {b.plain: b.heading_path for b in parse_blocks(TINDER) if b.kind == "heading"}
    top = ("Privacy Policy",)
    sections = (
        "3. Data We Collect",
        "5. How We Share Data",
        "7. Cross-Border Data Transfers",
        "8. Your Rights",
    )
    for section in (*sections, "9. How Long We Retain Your Data"):
        assert paths[section] == top, section
    assert paths["11. Privacy Policy Changes"] == top
    assert paths["Information you give us"] == (*top, "3. Data We Collect")
    assert paths["1. Europe"] == (*top, "12. How to Contact Us")
    assert paths["2. Japan"] == (*top, "12. How to Contact Us")
    rights = next(b for b in parse_blocks(TINDER) if b.text.startswith("You may access"))
    assert rights.heading_path == (*top, "8. Your Rights")


def test_an_image_or_link_without_words_is_no_provision() -> None:
    """A logo ("![](…qwen_icon…)") or an empty link has nothing to read; an image with alt text or a link with a
    label is kept."""
    texts = [b.text for b in parse_blocks(QWEN + "\n![Our logo](x.png)\n\n[Read more](https://b)\n")]
    assert not any(t.startswith(("![](", "[](")) for t in texts)
    assert "![Our logo](x.png)" in texts
    assert "[Read more](https://b)" in texts


def _pdf(lines: list[str]) -> bytes:
    """Build a minimal one-page PDF showing the given lines (Helvetica)."""
    ops = "BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(f"({line}) Tj T*" for line in lines) + " ET"
    stream = zlib.compress(ops.encode("latin-1"))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_pdf_text_is_extracted_into_paragraphs() -> None:
    """A PDF's text comes out with its sentences as paragraphs."""
    text = extract(
        _pdf(["Terms of Service", "We may end your account at any time.", "Fees are due monthly."])
    )
    blocks = parse_blocks(text)
    assert [b.text for b in blocks] == [
        "Terms of Service",
        "We may end your account at any time.",
        "Fees are due monthly.",
    ]


def test_a_broken_pdf_is_a_clear_error() -> None:
    """A file that claims to be PDF but is not raises ExtractionError."""
    with pytest.raises(ExtractionError):
        extract(b"%PDF-1.4\nnot really a pdf" + bytes(range(32)) * 10)


def test_binary_input_is_refused() -> None:
    """Bytes full of control characters are refused, not diffed as text."""
    with pytest.raises(ExtractionError, match="binary"):
        extract(bytes(range(256)) * 20, name="x.txt")


def test_utf16_and_legacy_encodings_are_decoded() -> None:
    """UTF-16 with a BOM and Windows-1252 text decode to the same words."""
    text = "Données personnelles – “privacy”"
    assert "Données" in extract(text.encode("utf-16"))
    assert "Données" in extract(text.encode("cp1252"))


def test_pathologically_deep_markup_keeps_its_words_without_recursing_forever() -> None:
    """10,000 nested elements extract to their text instead of raising RecursionError."""
    from clausewatch_differ.extract import html_to_markdown

    html = "<main><p>Intro.</p>" + "<div>" * 10_000 + "deep words" + "</div>" * 10_000 + "</main>"
    text = html_to_markdown(html)
    assert "Intro." in text
    assert "deep words" in text


def test_parsing_with_the_previous_version_gives_the_same_blocks() -> None:
    """A version parsed with the previous version's blocks equals its own parse, sharing unchanged words."""
    old_text = "# Terms\n\nWe keep data for 30 days.\n\n- Your **name**\n- Your [email](https://x.com)\n"
    new_text = old_text.replace("30 days", "90 days") + "\nA new clause.\n"
    old = parse_blocks(old_text)
    reused = parse_blocks(new_text, like=old)
    fresh = parse_blocks(new_text)
    assert [(b.kind, b.text, b.heading_path, list(b.tokens), b.words, b.sig) for b in reused] == [
        (b.kind, b.text, b.heading_path, list(b.tokens), b.words, b.sig) for b in fresh
    ]
    assert reused[2].words is old[2].words  # "- Your **name**" is unchanged: its words were not recomputed


def test_an_empty_quotation_is_no_provision() -> None:
    """A line holding only ">" made an empty block, on which the logo check indexed past the end (the fuzz test
    found it, session 17)."""
    assert parse_blocks(">\n") == []
    assert [b.text for b in parse_blocks("Hello\n\n>\n\nWorld\n")] == ["Hello", "World"]


def test_a_paragraph_in_bold_is_a_sub_heading_and_bold_words_in_a_sentence_are_not() -> None:
    """Qwen Chat sets its section titles as <p class="title"><strong>…</strong></p>; written plain, every provision
    of the demo's Qwen history sat under "Privacy Policy" alone (session 17)."""
    html = (
        "<main><h1>Privacy Policy</h1>"
        '<p class="title"><strong>I. How We Collect Your Personal Data</strong></p>'
        "<p>We <b>collect</b> your name.</p>"
        "<p> <span><b>II. How We Use It</b></span> </p>"
        "<p>We use it to run the service.</p>"
        '<p><strong><a href="/x">Read more</a></strong></p></main>'
    )
    markdown = html_to_markdown(html)
    assert "**I. How We Collect Your Personal Data**" in markdown
    assert "We collect your name." in markdown
    assert "**II. How We Use It**" in markdown
    assert "[Read more](/x)" in markdown
    assert "**[" not in markdown
    paths = {b.text: b.heading_path for b in parse_blocks(markdown)}
    assert paths["We collect your name."] == ("Privacy Policy", "I. How We Collect Your Personal Data")
    assert paths["We use it to run the service."] == ("Privacy Policy", "II. How We Use It")


def test_text_set_straight_inside_a_list_is_kept() -> None:
    """Qwen Chat's "<ol>(a) Adequacy decisions. …</ol>" holds no <li>: the walk took list items only and dropped
    these provisions whole (session 17)."""
    html = (
        "<main><p>We rely on:</p><ol>(a) Adequacy decisions of the Commission.</ol>"
        "<ol><p>(b) Standard contractual clauses.</p><li>an item</li> (c) binding corporate rules</ol></main>"
    )
    markdown = html_to_markdown(html)
    for words in (
        "(a) Adequacy decisions of the Commission.",
        "(b) Standard contractual clauses.",
        "1. an item",
    ):
        assert words in markdown
    assert "(c) binding corporate rules" in markdown


def test_a_bold_paragraph_labels_its_list_item_but_titles_when_set_straight_in_a_list() -> None:
    """Tinder's "<li><p><b>Other information with your consent:</b></p><ul>…" labels an item, as Open Terms Archive
    keeps it; Qwen's table of contents, "<ol><p><strong>I. How Do We …</strong></p></ol>" without items, is a list
    of titles, which Open Terms Archive writes in bold."""
    html = (
        "<main><ul><li><p><b>Other information with your consent:</b></p><ul><li>Precise geolocation</li></ul></li>"
        "</ul><ol><p><strong>I. How Do We Collect Your Data</strong></p></ol></main>"
    )
    markdown = html_to_markdown(html)
    assert "Other information with your consent:" in markdown
    assert "**Other information" not in markdown
    assert "**I. How Do We Collect Your Data**" in markdown


ACCORDION = """<main><h1>Privacy Policy</h1>
<h2><button aria-expanded="false" aria-controls="rights">Your rights</button></h2>
<div id="rights" role="region" hidden><p>You can ask us at any time to see, correct or delete the personal data we
hold about you, and we will answer within thirty days of receiving your request.</p></div>
<h2><button aria-expanded="true" aria-controls="retention">Retention</button></h2>
<div id="retention" role="region"><p>We keep your messages for as long as your account is open and delete them
within ninety days after you close it, unless the law requires us to keep them longer.</p></div>
<div hidden><p>A template the page's script copies: never shown to anyone.</p></div>
<div aria-hidden="true"><p>A decorative duplicate of the title.</p></div>
<button aria-controls="menu" aria-expanded="false">Open menu</button>
<div id="menu" hidden><a href="/a">About us and our team</a> <a href="/b">Careers at the company</a>
<a href="/c">Press and media enquiries</a> <a href="/d">Our blog and news</a> <a href="/e">Help centre</a></div>
<div hidden="until-found"><p>Found by the browser's search even while collapsed: cookies last a year.</p></div>
</main>"""


ACCORDIONS_WITHOUT_ARIA_CONTROLS = """<main><h1>Privacy Policy</h1>
<h2><button class="accordion-button collapsed" data-bs-toggle="collapse" data-bs-target="#sharing">Sharing</button></h2>
<div id="sharing" class="accordion-collapse collapse" aria-hidden="true"><p>We share your profile with the members you
match with and with the service providers who host our servers, under contracts that limit what they may do.</p></div>
<h2><button id="rights-title" aria-expanded="false">Your rights</button></h2>
<section id="rights" aria-labelledby="rights-title" hidden><p>You can ask us at any time to see, correct or delete the
personal data we hold about you, and we will answer within thirty days of receiving your request.</p></section>
<h2 id="archive-title">Archive</h2>
<section id="archive" aria-labelledby="archive-title" hidden><p>An older copy the page keeps hidden, labelled by a plain
heading and opened by nothing: this is not the text of the policy the page shows.</p></section>
</main>"""


def test_accordions_that_name_their_panels_otherwise_keep_them() -> None:
    """Bootstrap's collapse names its panel in `data-bs-target` and some accordions label the panel with its button
    (`aria-labelledby`) instead of `aria-controls`: those panels and their titles are the policy too (decision
    0165). A hidden section labelled by a plain heading, which nothing opens, stays out."""
    blocks = parse_blocks(html_to_markdown(ACCORDIONS_WITHOUT_ARIA_CONTROLS))
    _assert_section(blocks, "Sharing", "We share your profile")
    _assert_section(blocks, "Your rights", "You can ask us")
    assert "older copy" not in html_to_markdown(ACCORDIONS_WITHOUT_ARIA_CONTROLS)


def _assert_section(blocks: list[Block], title: str, opening: str) -> None:
    """The page's text holds a heading `title` and, under it, a block that opens with `opening`."""
    assert ("heading", title) in [(b.kind, b.text) for b in blocks]
    assert next(b for b in blocks if b.text.startswith(opening)).heading_path[-1] == title


def test_collapsed_accordion_sections_are_document_text_with_their_titles() -> None:
    """A WAI-ARIA accordion hides its panels (`hidden`) until their title buttons are clicked: the panels and the
    titles are the policy (decision 0153). Hidden templates, decorative duplicates and a menu panel of links stay
    out, and so does the menu's button."""
    blocks = parse_blocks(html_to_markdown(ACCORDION))
    _assert_section(blocks, "Your rights", "You can ask us")
    _assert_section(blocks, "Retention", "We keep your messages")
    assert any(b.text.startswith("Found by the browser's search") for b in blocks)
    text = html_to_markdown(ACCORDION)
    for gone in ("template", "decorative", "Open menu", "Careers"):
        assert gone not in text
