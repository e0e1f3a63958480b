"""Assess the documents' current versions again with the rules and model now installed, without alerting.

A provision keeps one assessment, named by the classifier version that made it (rules, code and model): an upgrade
that changes a rule ("contacts us" is no longer sensitive data collected, decision 0161) re-assesses a version only
when the differ records a new one, so the pages of a document that has not changed since keep the old reading. This use
case brings them up to date: each document's latest version is assessed by the installed classifier, whose readings
replace the earlier ones, and nothing is published, so no subscriber hears of it. Change assessments stay as they
were: they record what was said at the time (decision 0163).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import col, select

from clausewatch_analyzer import service
from clausewatch_analyzer.engine import Engine
from clausewatch_shared.current import current_version_ids
from clausewatch_shared.db import Database
from clausewatch_shared.models import Document


@dataclass(frozen=True)
class ReassessReport:
    """What a reassessment did."""

    classifier_version: str
    documents: int
    provisions: int  # in the versions looked at
    assessed: int  # assessed anew: those the installed classifier had not assessed yet

    def describe(self) -> str:
        """One line for the operator."""
        return (
            f"{self.documents} document{'s' if self.documents != 1 else ''}: {self.assessed} of {self.provisions} "
            f"provisions of their latest versions assessed anew by {self.classifier_version} (no alerts sent)"
        )


async def latest_versions(db: Database, document_ids: Sequence[str] = ()) -> dict[str, str]:
    """Return each document's latest version id (every document with a version, or those named).

    Raises LookupError naming any document that is not in the catalogue or has no version yet.
    """
    async with db.session() as session:
        latest = await current_version_ids(session, document_ids or None)
        missing = [d for d in document_ids if d not in latest]
        if missing:
            known = set((await session.exec(select(Document.id).where(col(Document.id).in_(missing)))).all())
            reasons = [f"{d} ({'no version yet' if d in known else 'not in the catalogue'})" for d in missing]
            msg = f"cannot reassess {', '.join(reasons)}"
            raise LookupError(msg)
    return latest


async def reassess(
    db: Database, engine: Engine, document_ids: Sequence[str] = (), *, comparisons: int = 3
) -> ReassessReport:
    """Assess the latest version of each document (or of those named) with `engine`; publish nothing."""
    latest = await latest_versions(db, document_ids)
    provisions = assessed = 0
    for version_id in latest.values():
        outcome = await service.assess_version(db, engine, version_id, comparisons)
        provisions += outcome.provisions
        assessed += outcome.created
    return ReassessReport(engine.classifier.version, len(latest), provisions, assessed)
