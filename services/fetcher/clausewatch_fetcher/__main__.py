"""`python -m clausewatch_fetcher`: run the fetcher alone, configured from the environment."""

from __future__ import annotations

import asyncio

from clausewatch_fetcher.app import create_app
from clausewatch_fetcher.settings import FetcherSettings
from clausewatch_shared.logging import configure_logging
from clausewatch_shared.settings import load_settings

if __name__ == "__main__":
    settings = load_settings(FetcherSettings)
    configure_logging(settings.log_level, settings.log_format, service="fetcher")
    asyncio.run(create_app(settings).run())
