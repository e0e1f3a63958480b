"""Schemathesis against the management routes with real keys: a compliance subscriber's own key on /me and the
operator key on /subscribers, so generated requests get past authentication and reach the management functions.

The shared fuzz test (test_openapi_fuzz.py) sends no subscriber key, so there every /me route stops at 401. Here
each generated request must answer without a server error and as the schema says. Schema-valid requests may still
be refused by rules the schema cannot express (an id that does not exist, a tier limit), so the check that every
schema-valid request is accepted is left out. Registering an endpoint is left out too: it resolves the generated
host name, and tests never reach outside hosts (test_management_endpoints.py covers it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from clausewatch_notifier import management
from clausewatch_shared.blobstore import FilesystemBlobStore
from clausewatch_shared.db import Database
from tests.integration.api.rows import write_rows
from tests.integration.api.served import ApiThread, app_schema_document, served_api

pytestmark = pytest.mark.integration

ADMIN_KEY = "fuzz-admin-key"


class _Subscriber:
    """The compliance subscriber made while the database is prepared; its key is known once the api listens."""

    key = ""

    @classmethod
    async def prepare(cls, db: Database, blobs: FilesystemBlobStore) -> None:
        await write_rows(db, blobs)
        created = await management.create_subscriber(db, "fuzz@example.org", tier="compliance")
        await management.follow(db, created.subscriber.id, "acme")
        cls.key = created.api_key


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiThread]:
    """The api under uvicorn over a migrated SQLite database with one compliance subscriber following acme."""
    with served_api(tmp_path_factory.mktemp("management-fuzz"), [ADMIN_KEY], _Subscriber.prepare) as running:
        yield running


def _management_schema() -> schemathesis.schemas.BaseSchema:
    """The app's own OpenAPI document, narrowed to the management routes (building the app connects nothing)."""
    whole = schemathesis.openapi.from_dict(app_schema_document())
    return whole.include(path_regex=r"^/api/v1/(me|subscribers)\b").exclude(
        path="/api/v1/me/endpoints", method="POST"
    )


schema = _management_schema()


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_management_routes_answer_generated_requests_without_server_errors(
    case: schemathesis.Case, server: ApiThread
) -> None:
    """Every management operation, called with a valid key, answers generated requests without a 5xx and as its
    schema says."""
    own = case.path == "/api/v1/me" or case.path.startswith("/api/v1/me/")
    key = _Subscriber.key if own else ADMIN_KEY
    case.call_and_validate(
        base_url=f"http://127.0.0.1:{server.port}",
        headers={"X-API-Key": key},
        excluded_checks=[positive_data_acceptance],
    )
