"""`clausewatch diff` for people and scripts: formats, the JSON contract, history mode and bad input."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from clausewatch_differ.cli import app

runner = CliRunner()
OLD = "# Terms\n\n## Fees\n\nYou pay 10 euros a month.\n\n## Law\n\nIrish law applies.\n"
NEW = "# Terms\n\n## Fees\n\nYou pay 12 euros a month.\n\n## Law\n\nIrish law applies.\n"


def _write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_json_output_follows_the_contract(tmp_path: Path) -> None:
    """The JSON object has old, new, substantive and changes with kind, significance, texts and summary."""
    old, new = _write(tmp_path, "a.md", OLD), _write(tmp_path, "b.md", NEW)
    result = runner.invoke(app, ["diff", str(old), str(new), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["old"] == "a.md"
    assert data["new"] == "b.md"
    assert data["substantive"] is True
    (change,) = data["changes"]
    assert change["kind"] == "modified"
    assert change["significance"] == "substantive"
    assert change["old_text"] == "You pay 10 euros a month."
    assert change["new_text"] == "You pay 12 euros a month."
    assert "10" in change["summary"]


def test_added_provisions_have_null_old_text(tmp_path: Path) -> None:
    """An added provision's old_text is JSON null."""
    old = _write(tmp_path, "a.md", OLD)
    new = _write(tmp_path, "b.md", OLD + "\n## Refunds\n\nNo refunds.\n")
    data = json.loads(runner.invoke(app, ["diff", str(old), str(new), "--format", "json"]).output)
    assert {c["kind"] for c in data["changes"]} == {"added"}
    assert all(c["old_text"] is None for c in data["changes"])


def test_history_mode_prints_one_object_per_consecutive_pair(tmp_path: Path) -> None:
    """--history DIR --format jsonl diffs each file with the next in name order, skipping metadata files."""
    _write(tmp_path, "v000.md", OLD)
    _write(tmp_path, "v001.md", OLD.replace("\n## Law", "\n\n## Law"))
    _write(tmp_path, "v002.md", NEW)
    _write(tmp_path, "meta.json", "{}")
    result = runner.invoke(app, ["diff", "--history", str(tmp_path), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [(d["old"], d["new"], d["substantive"]) for d in lines] == [
        ("v000.md", "v001.md", False),
        ("v001.md", "v002.md", True),
    ]


def test_history_lines_stay_one_per_pair_when_the_text_holds_line_separators(tmp_path: Path) -> None:
    """A provision holding U+2028 or U+0085 (web text does) is escaped in the JSON, so each pair is still one line
    for `str.splitlines()`, and reads back to the text as it was."""
    _write(tmp_path, "v000.md", OLD)
    _write(tmp_path, "v001.md", NEW.replace("12 euros", "12\u2028euros\x85 (VAT included)"))
    _write(tmp_path, "v002.md", NEW)
    result = runner.invoke(app, ["diff", "--history", str(tmp_path), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 2
    first = json.loads(lines[0])
    assert first["changes"][0]["new_text"] == "You pay 12\u2028euros\x85 (VAT included) a month."


def test_html_and_text_formats_highlight_words(tmp_path: Path) -> None:
    """HTML output marks deleted and inserted words; text output uses [- -] and {+ +} markers."""
    old, new = _write(tmp_path, "a.md", OLD), _write(tmp_path, "b.md", NEW)
    html = runner.invoke(app, ["diff", str(old), str(new), "--format", "html"]).output
    assert "<del>10</del>" in html
    assert "<ins>12</ins>" in html
    assert 'class="cw-sbs"' in html
    inline = runner.invoke(app, ["diff", str(old), str(new), "--format", "html-inline"]).output
    assert 'class="cw-inline"' in inline
    text = runner.invoke(app, ["diff", str(old), str(new)]).output
    assert "[-10-]{+12+}" in text


def test_html_files_are_compared_by_their_text(tmp_path: Path) -> None:
    """An HTML page and the Markdown of the same words compare as cosmetic only."""
    html = "<html><body><nav>Menu</nav><h1>Terms</h1><h2>Fees</h2><p>You pay 10 euros a month.</p><h2>Law</h2><p>Irish law applies.</p></body></html>"
    old, new = _write(tmp_path, "a.html", html), _write(tmp_path, "b.md", OLD)
    data = json.loads(runner.invoke(app, ["diff", str(old), str(new), "--format", "json"]).output)
    assert data["substantive"] is False


def test_binary_input_is_a_clear_error(tmp_path: Path) -> None:
    """A binary file exits with status 2 and says it looks binary."""
    old = _write(tmp_path, "a.md", OLD)
    binary = _write(tmp_path, "b.bin", bytes(range(256)) * 50)
    result = runner.invoke(app, ["diff", str(old), str(binary)])
    assert result.exit_code == 2
    assert "binary" in result.output


def test_empty_and_missing_files(tmp_path: Path) -> None:
    """An empty file compares as everything added; a missing file is a clear error."""
    empty, new = _write(tmp_path, "a.md", ""), _write(tmp_path, "b.md", OLD)
    data = json.loads(runner.invoke(app, ["diff", str(empty), str(new), "--format", "json"]).output)
    assert data["substantive"] is True
    assert {c["kind"] for c in data["changes"]} == {"added"}
    missing = runner.invoke(app, ["diff", str(tmp_path / "nope.md"), str(new)])
    assert missing.exit_code == 2
    assert "no such file" in missing.output


def test_mixed_encodings_decode_line_by_line(tmp_path: Path) -> None:
    """A UTF-8 file with a Windows-1252 line keeps both lines' accented words."""
    mixed = "Café policy\n\n".encode() + "Data is kept – naïve.\n".encode("cp1252")
    old, new = (
        _write(tmp_path, "a.txt", "Café policy\n\nData is kept – naïve.\n"),
        _write(tmp_path, "b.txt", mixed),
    )
    data = json.loads(runner.invoke(app, ["diff", str(old), str(new), "--format", "json"]).output)
    assert data["changes"] == []


def test_a_bad_file_in_a_history_yields_an_error_object_and_the_rest_goes_on(tmp_path: Path) -> None:
    """A binary file in a history gives error objects for its pairs; other pairs are still compared."""
    _write(tmp_path, "v000.md", OLD)
    _write(tmp_path, "v001.md", bytes(range(256)) * 50)
    _write(tmp_path, "v002.md", OLD)
    _write(tmp_path, "v003.md", NEW)
    result = runner.invoke(app, ["diff", "--history", str(tmp_path), "--format", "jsonl"])
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert ["error" in d for d in lines] == [True, True, False]
    assert lines[2]["substantive"] is True
