"""`training.heldout`: the shipped model scored on terms documents it never saw, read as the CLI reads them."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import structlog
from training.corpus import load_claudette
from training.heldout import load_documents, main, score_documents
from training.predictions import load
from typer.testing import CliRunner

from clausewatch.cli import app
from clausewatch_analyzer.model import load_classifier
from clausewatch_analyzer.model.labels import CLAUDETTE_TYPES
from clausewatch_analyzer.model.loading import ARTEFACT_PATH

SENTENCES = (
    "Any dispute arising out of these terms shall be resolved by final and binding arbitration.",
    "We may terminate your account at any time, for any reason, without notice.",
    "Welcome to our service.",
    "These terms are governed by the laws of the State of California.",
)


# taxonomy id -> CLAUDETTE tag code, to write tag lines
_CODES = {type_id: code for code, type_id in CLAUDETTE_TYPES.items()}


@pytest.fixture(autouse=True)
def _restore_logging() -> object:
    """The CLI points structlog at the runner's stderr, which closes after it: restore the defaults."""
    yield
    structlog.reset_defaults()


def _claudette_folder(root: Path, documents: dict[str, tuple[tuple[str, str], ...]]) -> Path:
    """A folder in CLAUDETTE's layout: per document, (sentence, tags) lines."""
    (root / "sentences").mkdir(parents=True)
    (root / "tags").mkdir()
    for name, lines in documents.items():
        (root / "sentences" / f"{name}.txt").write_text(
            "\n".join(s for s, _ in lines) + "\n", encoding="utf-8"
        )
        (root / "tags" / f"{name}.txt").write_text("\n".join(t for _, t in lines) + "\n", encoding="utf-8")
    return root


def test_the_cli_column_is_what_clausewatch_classify_lines_prints(tmp_path: Path) -> None:
    """Each sentence's CLI reading is the CLI's own output: its types, unfair (2) where its severity is medium or
    high; the model column is the artefact alone."""
    folder = _claudette_folder(tmp_path / "held", {"Acme": tuple((s, "") for s in SENTENCES)})
    held = score_documents(load_documents([folder]))

    source = tmp_path / "lines.txt"
    source.write_text("\n".join(SENTENCES) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["classify", str(source), "--lines", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    printed = [json.loads(line) for line in result.stdout.splitlines()]
    expected = [
        dict.fromkeys(row["clause_types"], 2 if row["severity"] in {"medium", "high"} else 1)
        for row in printed
    ]
    assert list(held.cli) == expected
    assert "arbitration" in held.cli[0]
    assert "unilateral_termination" in held.cli[1]
    alone = load_classifier().predict(list(SENTENCES))
    assert list(held.model) == [{p.clause_type: p.level for p in found} for found in alone]
    assert held.documents == ("Acme",) * 4


def test_tags_the_model_agrees_with_score_one_and_a_missed_tag_halves_recall(tmp_path: Path) -> None:
    """Gold tags written from the model's own reading score F1 1; a tag it cannot have found costs its recall."""
    model = load_classifier()
    found = model.predict(list(SENTENCES))
    agreed = tuple(
        (s, " ".join(f"{_CODES[p.clause_type]}{p.level}" for p in hits))
        for s, hits in zip(SENTENCES, found, strict=True)
    )
    assert any(tags for _, tags in agreed), (
        "the model finds nothing in the fixture: the test would be vacuous"
    )
    held = score_documents(load_documents([_claudette_folder(tmp_path / "a", {"Acme": agreed})]))
    scored = {s.type_id: s for s in held.scores["any_level"]}
    for type_id in {p.clause_type for hits in found for p in hits}:
        assert scored[type_id].f1 == 1.0

    # "Welcome to our service." tagged arbitration too: one arbitration sentence of two missed.
    missed = tuple((s, (t + " a2").strip()) if s == SENTENCES[2] else (s, t) for s, t in agreed)
    held = score_documents(load_documents([_claudette_folder(tmp_path / "b", {"Acme": missed})]))
    arbitration = next(s for s in held.scores["any_level"] if s.type_id == "arbitration")
    assert (arbitration.precision, arbitration.recall) == (1.0, 0.5)


def test_our_jsonl_files_and_claudette_folders_load_alike(tmp_path: Path) -> None:
    """A JSONL file of ours is one document with the same labels as the same sentences in CLAUDETTE's layout."""
    rows = [
        {"id": "x-1", "text": SENTENCES[0], "labels": ["arbitration"], "levels": {"arbitration": 2}},
        {"id": "x-2", "text": SENTENCES[2], "labels": [], "levels": {}},
    ]
    jsonl = tmp_path / "terms_x.jsonl"
    jsonl.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    folder = _claudette_folder(tmp_path / "c", {"X": ((SENTENCES[0], "a2"), (SENTENCES[2], ""))})
    from_jsonl, from_folder = load_documents([jsonl, folder])
    assert from_jsonl.sentences == from_folder.sentences
    assert from_jsonl.labels == from_folder.labels == ({"arbitration": 2}, {})
    assert load_claudette(folder)[0].name == "X"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda root: root / "missing", "neither a folder in CLAUDETTE's layout nor a .jsonl file"),
        (lambda root: (root / "empty").mkdir() or root / "empty", "expected CLAUDETTE's layout"),
        (
            lambda root: _claudette_folder(root / "none", {}),
            "no sentences/*.txt",
        ),
    ],
)
def test_a_path_without_documents_is_refused_with_the_reason(
    tmp_path: Path, make: Callable[[Path], Path], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        load_documents([make(tmp_path)])


def test_tags_out_of_step_with_sentences_and_a_name_given_twice_are_refused(tmp_path: Path) -> None:
    folder = _claudette_folder(tmp_path / "d", {"Acme": ((SENTENCES[0], "a2"),)})
    with pytest.raises(ValueError, match="documents named twice: Acme"):
        load_documents([folder, folder])
    (folder / "tags" / "Acme.txt").write_text("a2\n\nj1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="1 sentences but 3 tag lines"):
        load_documents([folder])


def test_the_command_prints_the_table_and_saves_rows_training_compare_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _claudette_folder(tmp_path / "e", {"Acme": ((SENTENCES[0], "a2"), (SENTENCES[2], ""))})
    out = tmp_path / "rows.json"
    main([str(folder), "--predictions", str(out)])
    printed = capsys.readouterr().out
    assert "1 held-out documents, 2 sentences" in printed
    assert "| arbitration |" in printed
    assert "**macro, 9 types**" in printed
    saved = load(out)
    assert saved.documents == ("Acme", "Acme")
    assert saved.gold == ({"arbitration": 2}, {})


def test_the_command_stops_on_a_bad_path_with_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        main([str(tmp_path / "nowhere")])
    assert stop.value.code == 2
    assert "neither a folder in CLAUDETTE's layout nor a .jsonl file" in capsys.readouterr().err


def test_a_missing_tags_file_bad_bytes_and_bad_rows_are_named(tmp_path: Path) -> None:
    """What cannot be read stops the command with the path and the reason, not a traceback."""
    folder = _claudette_folder(tmp_path / "f", {"Acme": ((SENTENCES[0], "a2"),)})
    (folder / "tags" / "Acme.txt").unlink()
    with pytest.raises(ValueError, match=r"Acme\.txt is missing"):
        load_documents([folder])
    (folder / "tags" / "Acme.txt").write_text("a2\n", encoding="utf-8")
    (folder / "sentences" / "Acme.txt").write_bytes(b"caf\xe9 terms\n")
    with pytest.raises(ValueError, match="not UTF-8 text"):
        load_documents([folder])
    broken = tmp_path / "terms_broken.jsonl"
    broken.write_text('{"text": "x", "labels": []}\n{"text": \n', encoding="utf-8")
    with pytest.raises(ValueError, match="a line is not JSON"):
        load_documents([broken])
    broken.write_text('{"labels": []}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="a row without 'text'"):
        load_documents([broken])


def test_a_missing_or_broken_artefact_stops_the_command_instead_of_scoring_the_rules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The engine would fall back to its rules when the model cannot load: the command refuses instead."""
    folder = _claudette_folder(tmp_path / "g", {"Acme": ((SENTENCES[0], "a2"),)})
    broken = tmp_path / "broken.pickle.gz"
    broken.write_bytes(b"not gzip")
    for artefact, reason in (
        (tmp_path / "absent.pickle.gz", "artefact not found"),
        (broken, "Not a gzipped file"),
    ):
        with pytest.raises(SystemExit) as stop:
            main([str(folder), "--artefact", str(artefact)])
        assert stop.value.code == 2
        assert reason in capsys.readouterr().err


def test_another_artefact_is_the_one_scored_and_named(tmp_path: Path) -> None:
    """`--artefact` scores that file (here a copy of the shipped one: the same rows) and the rows name it."""
    folder = _claudette_folder(tmp_path / "h", {"Acme": tuple((s, "") for s in SENTENCES)})
    copy = tmp_path / "copy.pickle.gz"
    copy.write_bytes(ARTEFACT_PATH.read_bytes())
    main([str(folder), "--artefact", str(copy), "--predictions", str(tmp_path / "copy.json")])
    main([str(folder), "--predictions", str(tmp_path / "shipped.json")])
    scored, shipped = load(tmp_path / "copy.json"), load(tmp_path / "shipped.json")
    assert scored.config["artefact"] == str(copy)
    assert shipped.config["artefact"] == "shipped"
    assert (scored.model, scored.cli) == (shipped.model, shipped.cli)
