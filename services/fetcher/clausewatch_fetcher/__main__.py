"""`python -m clausewatch_fetcher`: run the fetcher alone, configured from the environment."""

from __future__ import annotations

import asyncio

from clausewatch_fetcher.app import create_app
from clausewatch_shared.logging import configure_logging

if __name__ == "__main__":
    configure_logging()
    asyncio.run(create_app().run())
