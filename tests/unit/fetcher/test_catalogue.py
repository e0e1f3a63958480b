"""The catalogue: the bundled YAML validates, ids are stable, and errors name the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from clausewatch_fetcher.capture import Target
from clausewatch_fetcher.catalogue import DOC_TYPES, CatalogueError, load_catalogue, parse_duration

SEED_PLATFORMS = {
    "leonardo-ai",
    "anthropic",
    "strava",
    "grindr",
    "bereal",
    "linkedin",
    "microsoft-azure",
    "hubspot",
}
MAJOR_PLATFORMS = {
    "openai",
    "google",
    "meta",
    "microsoft",
    "mistral-ai",
    "perplexity",
    "midjourney",
    "tiktok",
    "x",
}


def test_the_bundled_catalogue_validates_and_names_every_seed_and_major_platform() -> None:
    """Every platform of the design seeds and the major AI and social platforms are in the shipped catalogue."""
    catalogue = load_catalogue()
    ids = {p.id for p in catalogue.platforms}
    assert ids >= SEED_PLATFORMS
    assert ids >= MAJOR_PLATFORMS
    for platform in catalogue.platforms:
        assert any(d.type == "Privacy Policy" for d in platform.documents) or platform.id == "youtube"


def test_document_ids_are_platform_slash_type_slug_and_unique() -> None:
    """Document ids are '<platform>/<type slug>' (or a declared slug) and never repeat."""
    docs = load_catalogue().documents()
    ids = [d.id for d in docs]
    assert len(ids) == len(set(ids))
    assert "leonardo-ai/privacy-policy" in ids
    assert "anthropic/terms-of-service" in ids
    assert "openai/eu-privacy-policy" in ids
    for doc in docs:
        platform, slug = doc.id.split("/")
        assert platform == doc.platform.id
        assert slug == (doc.decl.slug or DOC_TYPES[doc.decl.type])


def test_spec_carries_what_the_differ_needs() -> None:
    """A document's spec has select, remove, javascript and pdf keys."""
    doc = load_catalogue().document("apple/privacy-policy")
    assert doc.decl.spec()["pdf"] is True
    assert set(doc.decl.spec()) >= {"select", "remove", "javascript", "pdf"}


def test_errors_name_the_file_and_the_field(tmp_path: Path) -> None:
    """Every problem is reported with its file, its path inside the file and what is wrong."""
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "platforms:\n"
        "  - id: acme\n    name: Acme\n    documents:\n"
        "      - type: Privacy Policy\n        urls: [https://acme.example/privacy]\n"
        "      - type: Terms of Sorcery\n        urls: [notaurl]\n        javascript: maybe\n"
    )
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(bad)
    message = str(caught.value)
    assert (
        f"{bad}: platforms[0].documents[1].type: Value error, unknown document type 'Terms of Sorcery'"
        in message
    )
    assert f"{bad}: platforms[0].documents[1].urls[0]:" in message
    assert f"{bad}: platforms[0].documents[1].javascript:" in message


def test_a_directory_of_single_platform_files_loads_and_duplicates_are_refused(tmp_path: Path) -> None:
    """A file may hold one platform at top level; the same platform id in two files is an error naming both."""
    doc = "documents:\n  - type: Privacy Policy\n    urls: [https://a.example/p]\n"
    (tmp_path / "a.yaml").write_text("id: acme\nname: Acme\n" + doc)
    assert [p.id for p in load_catalogue(tmp_path).platforms] == ["acme"]
    (tmp_path / "b.yml").write_text("id: acme\nname: Acme again\n" + doc)
    with pytest.raises(CatalogueError, match=r"b\.yml: id: platform id 'acme' also in .*a\.yaml"):
        load_catalogue(tmp_path)


def test_two_documents_of_one_type_need_distinct_slugs(tmp_path: Path) -> None:
    """Two privacy policies of one platform are refused unless one declares its own slug."""
    path = tmp_path / "p.yaml"
    two = "id: acme\nname: Acme\ndocuments:\n  - type: Privacy Policy\n    urls: [https://a.example/1]\n"
    two += "  - type: privacy notice\n    urls: [https://a.example/2]\n"
    path.write_text(two)
    with pytest.raises(CatalogueError, match="two documents with id acme/privacy-policy"):
        load_catalogue(path)
    path.write_text(two + "    slug: eu-privacy-policy\n")
    assert [d.id for d in load_catalogue(path).documents()] == [
        "acme/privacy-policy",
        "acme/eu-privacy-policy",
    ]


def test_bad_css_and_bad_yaml_are_reported(tmp_path: Path) -> None:
    """An unparsable CSS selector and a broken YAML file are named, not raised as tracebacks."""
    (tmp_path / "css.yaml").write_text(
        "id: acme\nname: Acme\ndocuments:\n  - type: Privacy Policy\n    urls: [https://a.example/1]\n"
        "    select: ['main >']\n"
    )
    (tmp_path / "broken.yaml").write_text("id: [unclosed\n")
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(tmp_path)
    assert "css.yaml: documents[0].select: Value error, invalid CSS selector 'main >'" in str(caught.value)
    assert "broken.yaml: not valid YAML" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "seconds"), [("90s", 90), ("15m", 900), ("6h", 21600), ("1d", 86400), (3600, 3600)]
)
def test_intervals_read_as_durations(text: object, seconds: int) -> None:
    """Intervals accept seconds or a number with s/m/h/d/w."""
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["soon", "0s", "", True, "-1h"])
def test_nonsense_intervals_are_refused(text: object) -> None:
    """An interval that is not a positive duration is refused."""
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


def test_declared_cookies_reach_the_spec_and_bad_ones_are_refused(tmp_path: Path) -> None:
    """A consent cookie is stored with the document and read back for the capture; a name or value a Cookie header
    cannot carry is refused naming the field, and documents without cookies keep their spec as it was."""
    doc = "id: acme\nname: Acme\ndocuments:\n  - type: Privacy Policy\n    urls: [https://acme.example/p]\n"
    path = tmp_path / "acme.yaml"
    path.write_text(doc + "    cookies: {CONSENT: YES+cb.20260101, region: eu}\n")
    declared = load_catalogue(path).document("acme/privacy-policy")
    assert declared.decl.spec()["cookies"] == {"CONSENT": "YES+cb.20260101", "region": "eu"}
    target = Target.from_spec(declared.id, "acme", list(declared.decl.urls), declared.decl.spec(), "en")
    assert target.cookies == (("CONSENT", "YES+cb.20260101"), ("region", "eu"))
    path.write_text(doc)
    assert "cookies" not in load_catalogue(path).document("acme/privacy-policy").decl.spec()
    for bad, message in [
        ("{'a b': x}", "not a cookie name: 'a b'"),
        ("{consent: 'yes; path=/'}", "cookie consent: a value of up to 4096 characters"),
    ]:
        path.write_text(doc + f"    cookies: {bad}\n")
        with pytest.raises(CatalogueError) as caught:
            load_catalogue(path)
        assert "acme.yaml: documents[0].cookies" in str(caught.value)
        assert message in str(caught.value)
