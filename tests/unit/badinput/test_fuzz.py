"""Property-based fuzzing (hypothesis) of extraction, provision splitting and diffing: no crash, no hang (bounded
examples, each finishing), no false change. Example counts scale with CLAUSEWATCH_FUZZ_EXAMPLES (CI default 60)."""

from __future__ import annotations

import os
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clausewatch_analyzer.segment import split_provisions, split_sentences
from clausewatch_differ.blocks import parse_blocks
from clausewatch_differ.compare import compare_texts
from clausewatch_differ.extract import ExtractionError, extract, html_to_markdown
from clausewatch_differ.normalize import clean_text

EXAMPLES = int(os.environ.get("CLAUSEWATCH_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # a slow CI machine is not a bug; a hang is caught by pytest-timeout
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)

words = st.text(alphabet=string.ascii_letters + "éøßçñ", min_size=1, max_size=12)
sentences = st.lists(words, min_size=3, max_size=20).map(lambda ws: " ".join(ws).capitalize() + ".")
paragraphs = st.lists(sentences, min_size=1, max_size=4).map(" ".join)
TAGS = ("p", "div", "li", "h2", "h3", "span", "b", "section", "td", "blockquote")


@st.composite
def html_documents(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A random policy page: paragraphs in randomly chosen (and sometimes unclosed) tags, with noise around them."""
    texts = draw(st.lists(paragraphs, min_size=1, max_size=8))
    parts = []
    for text in texts:
        tag = draw(st.sampled_from(("p", "div", "li", "blockquote")))
        wrapper = draw(st.sampled_from(("", "span", "b", "section")))
        inner = f"<{wrapper}>{text}</{wrapper}>" if wrapper else text
        close = draw(st.booleans())
        parts.append(f"<{tag}>{inner}" + (f"</{tag}>" if close else ""))
        if draw(st.booleans()):
            parts.append(
                draw(st.sampled_from(("<br>", "<hr>", "<!-- c -->", "<script>var x=1</script>", "\n  ")))
            )
    return "<html><body><main>" + "".join(parts) + "</main></body></html>", texts


@st.composite
def markdown_documents(draw: st.DrawFn) -> str:
    """A random clean Markdown policy: headings, paragraphs and list items."""
    lines = []
    for _ in range(draw(st.integers(1, 12))):
        kind = draw(st.sampled_from(("heading", "para", "item", "numbered")))
        text = draw(paragraphs)
        if kind == "heading":
            lines.append("#" * draw(st.integers(1, 4)) + " " + text[:60].rstrip("."))
        elif kind == "item":
            lines.append("- " + text)
        elif kind == "numbered":
            lines.append(f"{draw(st.integers(1, 30))}. " + text)
        else:
            lines.append(text)
        lines.append("")
    return "\n".join(lines)


@FUZZ
@given(
    data=st.binary(max_size=4096),
    content_type=st.sampled_from(("text/html", "text/plain", "application/pdf", "")),
)
def test_extract_of_arbitrary_bytes_returns_text_or_refuses_by_name(data: bytes, content_type: str) -> None:
    """Any bytes under any content type either extract to text or raise ExtractionError, nothing else."""
    try:
        text = extract(data, content_type)
    except ExtractionError:
        return
    assert isinstance(text, str)


@FUZZ
@given(text=st.text(max_size=3000))
def test_extract_of_arbitrary_unicode_html_never_crashes(text: str) -> None:
    """Arbitrary Unicode (surrogates excluded by UTF-8) wrapped as HTML extracts or is refused by name."""
    data = ("<html><body><main>" + text + "</main></body></html>").encode("utf-8", "surrogatepass")
    try:
        extract(data, "text/html")
    except ExtractionError:
        return


@FUZZ
@given(doc=html_documents())
def test_extraction_keeps_every_paragraph_s_words(doc: tuple[str, list[str]]) -> None:
    """Whatever the tag soup, every generated paragraph's words survive extraction in order."""
    html, texts = doc
    out = " ".join(html_to_markdown(html).split())
    flat = " ".join(out.replace("*", "").replace("#", "").split())
    position = 0
    for text in texts:
        first = text.split()[0]
        found = flat.find(first, position)
        assert found >= 0, (first, flat[:500])
        position = found


@FUZZ
@given(doc=html_documents(), noise=st.sampled_from(("space", "comment", "script", "wrapper", "attrs")))
def test_re_rendering_the_same_page_is_not_a_substantive_change(
    doc: tuple[str, list[str]], noise: str
) -> None:
    """The same page re-rendered with whitespace, comments, scripts, wrappers or attributes compares as no substantive change."""
    html, _ = doc
    noisy = {
        "space": html.replace("<p>", "\n   <p> ").replace(". ", ".  "),
        "comment": html.replace("<main>", "<main><!-- rendered 2026-11-22T05:00:00Z -->"),
        "script": html.replace("</main>", '<script>window.__STATE__={"n":7}</script></main>'),
        "wrapper": html.replace("<main>", "<main><div class='wrap'>").replace("</main>", "</div></main>"),
        "attrs": html.replace("<p>", "<p class='c-1' data-v='9'>"),
    }[noise]
    before = extract(html.encode(), "text/html")
    after = extract(noisy.encode(), "text/html")
    comparison = compare_texts(before, after)
    assert not comparison.substantive, [c.summary for c in comparison.changes]


@FUZZ
@given(text=markdown_documents())
def test_a_text_compared_with_itself_has_no_change(text: str) -> None:
    """Comparing any document with itself reports no change at all."""
    assert compare_texts(text, text).changes == []


@FUZZ
@given(old=markdown_documents(), new=markdown_documents())
def test_diffing_any_two_documents_is_consistent(old: str, new: str) -> None:
    """Any two documents compare without error; counts add up and an empty comparison means equal texts."""
    comparison = compare_texts(old, new)
    assert sum(comparison.counts().values()) == len(comparison.changes)
    for change in comparison.changes:
        assert change.kind in {"added", "removed", "modified", "moved"}
        assert change.significance in {"substantive", "cosmetic"}
    if not comparison.changes:
        assert " ".join(old.split()) == " ".join(new.split()) or not comparison.substantive


@FUZZ
@given(text=markdown_documents(), extra=paragraphs)
def test_an_added_paragraph_is_always_found(text: str, extra: str) -> None:
    """Appending a new paragraph of fresh words is always a substantive change (no missed change)."""
    marker = "Zyxwvut quorble " + extra
    comparison = compare_texts(text, text + "\n\n" + marker + "\n")
    assert comparison.substantive
    assert any("Zyxwvut" in (c.new_text or "") for c in comparison.changes)


@FUZZ
@given(text=st.text(max_size=3000))
def test_provision_splitting_of_arbitrary_text_is_well_formed(text: str) -> None:
    """Splitting any text into provisions gives non-empty, consecutively numbered segments without error."""
    segments = split_provisions(text)
    assert [s.ordinal for s in segments] == list(range(len(segments)))
    assert all(s.text.strip() for s in segments)
    for segment in segments:
        assert all(sentence.strip() for sentence in split_sentences(segment.text))


@FUZZ
@given(text=markdown_documents())
def test_provision_splitting_keeps_every_word(text: str) -> None:
    """Every word of a document's body (outside headings) lands in exactly one provision, in order."""
    segments = split_provisions(text)
    body = [
        line.removeprefix("- ") for line in text.splitlines() if line.strip() and not line.startswith("#")
    ]
    joined = " ".join(s.text for s in segments)
    for line in body:
        assert line.split()[-1] in joined


@FUZZ
@given(text=st.text(max_size=3000))
def test_block_parsing_and_cleaning_of_arbitrary_text_never_crash(text: str) -> None:
    """Cleaning and block parsing accept any text; cleaning twice changes nothing more."""
    cleaned = clean_text(text)
    assert clean_text(cleaned) == cleaned
    parse_blocks(cleaned)
