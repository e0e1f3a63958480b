"""The analyzer's message handlers: thin, idempotent, each calls one use case and publishes what follows."""

from __future__ import annotations

from dataclasses import dataclass

from clausewatch_analyzer import service
from clausewatch_analyzer.engine import Engine
from clausewatch_shared.db import Database
from clausewatch_shared.events import ChangeDetected, VersionRecorded
from clausewatch_shared.messaging import Bus


@dataclass
class Handlers:
    """Handlers bound to the process's database, bus and engine."""

    db: Database
    bus: Bus
    engine: Engine
    comparisons: int = 3

    async def on_version_recorded(self, event: VersionRecorded) -> None:
        """Assess every provision of the new version (once per classifier version)."""
        await service.assess_version(self.db, self.engine, event.version_id, self.comparisons)

    async def on_change_detected(self, event: ChangeDetected) -> None:
        """Assess the change set's changes and publish ChangeAssessed (same id on a rerun, so stored once)."""
        assessed = await service.assess_change_set(self.db, self.engine, event, self.comparisons)
        await self.bus.publish(assessed)
