"""The service registry: how the CLI and the embedded runner find each service's factory and settings.

Each service package follows one convention (docs/development.md): `clausewatch_<name>.settings.<Name>Settings`
and `clausewatch_<name>.app.register(runtime, settings)` / `create_app(settings)`. Resolving them by name keeps
this composition root the only place that knows every service.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from faststream import FastStream

from clausewatch_shared.runtime import Runtime
from clausewatch_shared.settings import CommonSettings, load_settings

SERVICE_NAMES = ("fetcher", "differ", "analyzer", "notifier", "api")


def settings_class(name: str) -> type[CommonSettings]:
    """Return the settings class of a service."""
    _check(name)
    module = importlib.import_module(f"clausewatch_{name}.settings")
    cls: type[CommonSettings] = getattr(module, f"{name.capitalize()}Settings")
    return cls


def load_service_settings(name: str, **overrides: Any) -> CommonSettings:
    """Return a service's settings from the environment plus overrides, with a readable error if invalid."""
    return load_settings(settings_class(name), **overrides)


def register(name: str, runtime: Runtime, settings: CommonSettings) -> None:
    """Attach a service's handlers and tasks to a runtime."""
    _check(name)
    module = importlib.import_module(f"clausewatch_{name}.app")
    module.register(runtime, settings)


def app_factory(name: str) -> Callable[..., FastStream]:
    """Return a service's `create_app`."""
    _check(name)
    module = importlib.import_module(f"clausewatch_{name}.app")
    factory: Callable[..., FastStream] = module.create_app
    return factory


def _check(name: str) -> None:
    if name not in SERVICE_NAMES:
        msg = f"unknown service {name!r}: choose one of {', '.join(SERVICE_NAMES)}"
        raise ValueError(msg)
