"""A small world filled by the real pipeline: a local site with two platforms' policies, captured by the fetcher,
versioned by the differ, assessed by the analyzer and served by the api, all on one runtime and a real nats-server.

Acme's policy is captured twice (the second time with a new AI-training clause and a longer retention period);
Globex's once, with an AI-training clause of its own, so Acme's provision page has another platform to compare.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlmodel import select

from clausewatch_shared.models import (
    Change,
    ChangeAssessment,
    ChangeSet,
    Provision,
    ProvisionAssessment,
    Snapshot,
    Version,
)
from tests.support.nats import running_nats
from tests.support.pipeline import request_capture, running_system, wait_for, write_catalogue
from tests.support.ports import api_servers, held_socket
from tests.support.sites import VersionedSite

PAGES = Path(__file__).parent / "pages"
ACME_DOC = "acme/privacy-policy"
GLOBEX_DOC = "globex/privacy-policy"


@dataclass
class World:
    """Where the api listens and the ids the pipeline produced."""

    base_url: str
    change_set_id: str
    training_provision_id: str
    training_provision_key: str
    snapshot_sha256: str
    blob_dir: Path


async def _count(db, model, *where) -> int:  # type: ignore[no-untyped-def]
    async with db.session() as s:
        return len((await s.exec(select(model).where(*where))).all())


@contextlib.asynccontextmanager
async def pipeline_world(tmp: Path) -> AsyncIterator[World]:
    """Run fetcher, differ, analyzer and api on a local site; capture, change, re-capture; yield what came out."""
    site = VersionedSite()
    site.set("/acme/privacy", (PAGES / "acme-privacy-v1.html").read_bytes())
    site.set("/globex/privacy", (PAGES / "globex-privacy.html").read_bytes())
    site.start()
    catalogue = write_catalogue(
        tmp / "catalogue.yaml",
        [
            {
                "id": "acme",
                "name": "Acme AI",
                "website": site.url("/"),
                "jurisdictions": ["EU", "US"],
                "categories": ["generative-ai"],
                "documents": [
                    {
                        "type": "Privacy Policy",
                        "urls": [site.url("/acme/privacy")],
                        "javascript": False,
                        "remove": ["nav", "footer"],
                        "min_chars": 200,
                    }
                ],
            },
            {
                "id": "globex",
                "name": "Globex",
                "jurisdictions": ["EU", "US"],
                "categories": ["messaging"],
                "documents": [
                    {
                        "type": "Privacy Policy",
                        "urls": [site.url("/globex/privacy")],
                        "javascript": False,
                        "min_chars": 200,
                    }
                ],
            },
        ],
    )
    try:
        # The api serves on a socket bound here (a port the kernel picked), so its port is known before the runtime
        # builds the api's settings (public_base_url names it) and no other process can take it meanwhile.
        with held_socket() as api_socket, api_servers(api_socket), running_nats(tmp / "jetstream") as nats:
            api_port = int(api_socket.getsockname()[1])
            async with running_system(
                tmp / "data",
                nats.url,
                catalogue=catalogue,
                api_port=api_port,
                services=("fetcher", "differ", "analyzer", "api"),
            ) as system:
                db = system.runtime.db
                await request_capture(system, ACME_DOC, "first")
                await request_capture(system, GLOBEX_DOC, "first")

                async def first_versions_assessed() -> bool:
                    if await _count(db, Version) < 2:
                        return False
                    provisions = await _count(db, Provision)
                    return provisions > 0 and await _count(db, ProvisionAssessment) >= provisions

                await wait_for(first_versions_assessed, timeout=60, what="both first versions assessed")
                site.set("/acme/privacy", (PAGES / "acme-privacy-v2.html").read_bytes())
                await request_capture(system, ACME_DOC, "second")

                async def change_assessed() -> bool:
                    changes = await _count(db, Change)
                    return (
                        await _count(db, ChangeSet) == 1
                        and changes > 0
                        and await _count(db, ChangeAssessment) >= changes
                        and await _count(db, ProvisionAssessment) >= await _count(db, Provision)
                    )

                await wait_for(change_assessed, timeout=60, what="the change set assessed")
                async with db.session() as s:
                    cs = (await s.exec(select(ChangeSet))).one()
                    added = (
                        await s.exec(
                            select(Change).where(Change.change_set_id == cs.id, Change.kind == "added")
                        )
                    ).all()
                    training = next(c for c in added if "train" in (c.new_text or ""))
                    prov = await s.get(Provision, training.new_provision_id)
                    version = await s.get(Version, cs.version_id)
                    snap = await s.get(Snapshot, version.snapshot_id)  # type: ignore[union-attr]
                assert prov is not None
                assert snap is not None
                # The api task starts with the runtime; wait until it answers before handing the world over.
                base = f"http://127.0.0.1:{api_port}"

                async def api_up() -> bool:
                    try:
                        async with httpx.AsyncClient() as c:
                            return (await c.get(base + "/healthz")).status_code == 200
                    except httpx.HTTPError:
                        return False

                await wait_for(api_up, timeout=20, what="the api to listen")
                yield World(
                    base_url=base,
                    change_set_id=cs.id,
                    training_provision_id=prov.id,
                    training_provision_key=prov.key,
                    snapshot_sha256=snap.sha256,
                    blob_dir=tmp / "data" / "blobs",
                )
    finally:
        site.stop()
