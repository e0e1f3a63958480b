"""The `clausewatch catalogue` and `clausewatch fetch` commands against a local site."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from clausewatch.cli import app
from clausewatch_shared.ids import sha256_hex
from tests.integration.fetcher.conftest import write_catalogue
from tests.integration.fetcher.pages import policy_html
from tests.integration.fetcher.site import LocalSite, Route

pytestmark = pytest.mark.integration


def test_fetch_checks_a_document_now_and_reports_its_hash(site: LocalSite, tmp_path: Path) -> None:
    """`clausewatch fetch PLATFORM DOCUMENT` captures here, prints status and SHA-256, and saves the raw bytes."""
    body = policy_html().encode()
    site.set("/privacy", Route(body=body))
    site.html("/empty", "<html><body></body></html>")
    catalogue = write_catalogue(
        tmp_path / "c.yaml",
        [
            {"type": "Privacy Policy", "urls": [site.url("/privacy")], "javascript": False},
            {"type": "Terms of Service", "urls": [site.url("/empty")], "javascript": False},
        ],
    )
    runner = CliRunner()
    env = {"CLAUSEWATCH_MIN_HOST_DELAY_SECONDS": "0"}
    ok = runner.invoke(
        app,
        ["fetch", "acme", "privacy-policy", "-c", str(catalogue), "--save", str(tmp_path / "raw")],
        env=env,
    )
    assert ok.exit_code == 0, ok.output
    assert "captured  acme/privacy-policy" in ok.output
    assert sha256_hex(body) in ok.output
    assert (tmp_path / "raw" / sha256_hex(body)).read_bytes() == body
    bad = runner.invoke(
        app, ["fetch", "acme", "Terms of Service", "-c", str(catalogue), "--no-browser"], env=env
    )
    assert bad.exit_code == 1
    assert "NOT THE DOCUMENT  acme/terms-of-service: empty" in bad.output


def test_catalogue_commands_validate_list_and_show(tmp_path: Path) -> None:
    """validate reports counts, list prints ids, show prints a platform's YAML; a bad file exits 1 naming the field."""
    runner = CliRunner()
    catalogue = write_catalogue(
        tmp_path / "c.yaml", [{"type": "Privacy Policy", "urls": ["https://a.example/p"]}]
    )
    result = runner.invoke(app, ["catalogue", "validate", "-c", str(catalogue)])
    assert result.exit_code == 0
    assert "1 platforms, 1 documents" in result.output
    assert "acme/privacy-policy" in runner.invoke(app, ["catalogue", "list", "-c", str(catalogue)]).output
    assert (
        "id: acme/privacy-policy"
        in runner.invoke(app, ["catalogue", "show", "acme", "-c", str(catalogue)]).output
    )
    (tmp_path / "bad.yaml").write_text("id: acme\nname: Acme\ndocuments: []\n")
    bad = runner.invoke(app, ["catalogue", "validate", "-c", str(tmp_path / "bad.yaml")])
    assert bad.exit_code == 1
    assert "bad.yaml: documents:" in bad.output
