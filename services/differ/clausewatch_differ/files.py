"""Comparing files: read a document file of any supported kind and build the JSON result the CLI prints."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from clausewatch_differ.blocks import Block, parse_blocks
from clausewatch_differ.compare import Comparison, compare_texts, compare_versions
from clausewatch_differ.extract import MAX_INPUT_BYTES, ExtractionError, extract

# Files a history directory may hold besides versions (OTA keeps a meta.json beside them): never diffed.
DOCUMENT_SUFFIXES = {"", ".md", ".markdown", ".txt", ".text", ".html", ".htm", ".xhtml", ".pdf"}


def read_document(path: Path) -> str:
    """Return the clean text of a Markdown, text, HTML or PDF file."""
    size = path.stat().st_size
    if size > MAX_INPUT_BYTES:
        msg = f"{path.name}: {size} bytes, more than the {MAX_INPUT_BYTES} accepted"
        raise ExtractionError(msg)
    try:
        return extract(path.read_bytes(), name=path.name)
    except ExtractionError as exc:
        msg = f"{path.name}: {exc}"
        raise ExtractionError(msg) from exc


def result_json(old_name: str, new_name: str, comparison: Comparison) -> dict[str, Any]:
    """Return the CLI's JSON contract for one comparison."""
    return {
        "old": old_name,
        "new": new_name,
        "substantive": comparison.substantive,
        "counts": comparison.counts(),
        "summary": comparison.summary(),
        "changes": [change.as_json() for change in comparison.changes],
    }


def compare_files(old: Path, new: Path) -> dict[str, Any]:
    """Compare two document files and return the JSON result."""
    return result_json(old.name, new.name, compare_texts(read_document(old), read_document(new)))


def history_files(directory: Path) -> list[Path]:
    """Return the document files of a directory in name order (hidden files and metadata skipped)."""
    return sorted(
        (
            p
            for p in directory.iterdir()
            if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in DOCUMENT_SUFFIXES
        ),
        key=lambda p: p.name,
    )


def compare_history(directory: Path) -> list[dict[str, Any]]:
    """Compare each document of a directory with the next in name order; a bad file yields an error object."""
    files = history_files(directory)
    results: list[dict[str, Any]] = []
    cache: tuple[Path, list[Block] | str] | None = None
    for old, new in itertools.pairwise(files):
        old_blocks = cache[1] if cache and cache[0] == old else _blocks_or_error(old)
        new_blocks = _blocks_or_error(new, old_blocks)
        cache = (new, new_blocks)
        if isinstance(old_blocks, str) or isinstance(new_blocks, str):
            error = old_blocks if isinstance(old_blocks, str) else new_blocks
            results.append(
                {"old": old.name, "new": new.name, "substantive": False, "changes": [], "error": error}
            )
            continue
        results.append(result_json(old.name, new.name, compare_versions(old_blocks, new_blocks)))
    return results


def _blocks_or_error(path: Path, like: Sequence[Block] | str = ()) -> list[Block] | str:
    try:
        return parse_blocks(read_document(path), like=() if isinstance(like, str) else like)
    except (ExtractionError, OSError) as exc:
        return str(exc)
