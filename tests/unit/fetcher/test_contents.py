"""A page that lacks sections its own table of contents links to is incomplete (decision 0151)."""

from __future__ import annotations

from clausewatch_fetcher.contents import missing_sections, title_key
from clausewatch_fetcher.detect import Expectation, judge_html
from tests.integration.fetcher.pages import contents_page as page
from tests.integration.fetcher.pages import policy_text

URL = "https://acme.example/privacy"


def judge(html: str, **expect: object) -> object:
    return judge_html(html, status=200, expect=Expectation(**expect), requested_url=URL, final_url=URL)[1]  # type: ignore[arg-type]


def test_sections_listed_but_absent_are_named() -> None:
    """Two of four listed sections missing from the page: both titles, as the contents list writes them."""
    assert missing_sections(page(shown=("who-we-are", "data-we-collect"))) == [
        "3. Your Rights",
        "4. How Long We Retain Your Data",
    ]


def test_an_incomplete_page_is_a_transient_rejection_the_browser_may_mend() -> None:
    """The judgement says which sections are missing, retries later, and lets the browser try."""
    rejection = judge(page(shown=("who-we-are", "data-we-collect")))
    assert rejection is not None
    assert (rejection.cause, rejection.retry_class, rejection.browser_may_help) == (  # type: ignore[attr-defined]
        "incomplete_page",
        "transient",
        True,
    )
    assert '"3. Your Rights"; "4. How Long We Retain Your Data"' in rejection.detail  # type: ignore[attr-defined]


def test_a_whole_page_passes() -> None:
    """Every listed section present: nothing missing, the page is accepted."""
    assert missing_sections(page()) == []
    assert judge(page()) is None


def test_one_dangling_link_is_a_typo_not_a_cut() -> None:
    """Tinder's 2023 pages had one contents link without a target; one missing section is not enough."""
    assert missing_sections(page(shown=("who-we-are", "data-we-collect", "your-rights"))) == []


def test_headings_without_ids_are_not_missing() -> None:
    """Sites that give headings their ids from JavaScript: the titles are on the page, so nothing is missing."""
    assert missing_sections(page(heading_ids=False)) == []


def test_a_contents_list_with_no_target_at_all_is_not_called_incomplete() -> None:
    """None of the targets present and none of the titles either: anchors set some other way, not a cut page."""
    html = page(shown=()).replace("</ol>", "</ol><p>" + policy_text("Privacy Policy", 1) + "</p>")
    assert missing_sections(html) == []


def test_a_contents_list_set_in_bold_does_not_stand_for_its_sections() -> None:
    """The links' own bold text is not a heading of the page: the missing sections are still found."""
    assert len(missing_sections(page(shown=("who-we-are", "data-we-collect"), toc_tag="strong"))) == 2


def test_a_section_the_catalogue_removes_is_still_on_the_page() -> None:
    """`remove` selectors drop what we do not watch; the anchors they held still exist on the page."""
    html = page().replace("<h2 id='your-rights'>", "<h2 class='skip' id='your-rights'>")
    html = html.replace("<h2 id='retention'>", "<h2 class='skip' id='retention'>")
    assert judge(html, remove=(".skip",)) is None


def test_a_confirmed_incomplete_page_is_accepted() -> None:
    """Once the confirmation window has passed the handler sets accept_incomplete, and the page is taken."""
    assert judge(page(shown=("who-we-are", "data-we-collect")), accept_incomplete=True) is None


def test_titles_compare_without_numbering_or_punctuation() -> None:
    """A contents list and its headings may number a section differently."""
    assert title_key("7. Cross-Border Data Transfers") == "cross border data transfers"
    assert title_key("VII. Your Rights") == title_key("(c) Your rights:") == "your rights"


def test_a_heading_that_extends_the_contents_entry_counts_as_the_section() -> None:
    """The contents say "Your Rights", the heading "3. Your Rights and Choices": the section is there, anchor or not;
    a word inside another word is no match ("Rights" is not in "Copyrights")."""
    html = page(heading_ids=False, shown=("who-we-are", "data-we-collect", "your-rights", "retention"))
    html = html.replace(">3. Your Rights</h2>", ">3. Your Rights and Choices</h2>")
    assert missing_sections(html) == []
    cut = page(shown=("who-we-are", "data-we-collect")).replace("</main>", "<h3>Copyrights</h3></main>")
    assert "3. Rights" in missing_sections(cut.replace(">3. Your Rights<", ">3. Rights<"))
