"""Each image leaves heavy packages out (deploy/Dockerfile): its services must build without importing them."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]
BROWSER = ["playwright"]
# numpy is not left out: the differ (in every image, through the merged CLI) aligns provisions with it.
SCIENCE = ["scipy", "sklearn", "joblib", "threadpoolctl"]
# What each Dockerfile target leaves out, and the services its image runs.
IMAGES = {
    "service": (BROWSER + SCIENCE, ["differ", "notifier", "api"]),
    # the classifier predicts from plain data (decision 0114): scikit-learn and SciPy are for training only
    "analyzer": (BROWSER + SCIENCE, ["analyzer"]),
    "fetcher": (SCIENCE, ["fetcher"]),
}

PROGRAM = """
import importlib.abc, sys
BLOCKED = set(sys.argv[1].split(","))

class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r} (not in this image)", name=name)
        return None

sys.meta_path.insert(0, Block())
import clausewatch.cli
from clausewatch import services
for name in sys.argv[2].split(","):
    settings = services.load_service_settings(name, nats_url="nats://127.0.0.1:1", schedule_enabled=False)
    services.app_factory(name)(settings)
if "analyzer" in sys.argv[2].split(","):
    from clausewatch_analyzer.model import load_classifier
    found = load_classifier().predict(["Any dispute will be resolved by binding arbitration."])[0]
    assert "arbitration" in [p.clause_type for p in found], found
print("built", sys.argv[2])
"""


@pytest.mark.parametrize("image", sorted(IMAGES))
def test_services_build_without_the_packages_their_image_leaves_out(image: str, tmp_path: Path) -> None:
    """The CLI imports and each service of an image builds its app with the packages that image omits made unimportable
    (and the analyzer's classifier predicts)."""
    blocked, names = IMAGES[image]
    result = subprocess.run(
        [sys.executable, "-c", PROGRAM, ",".join(blocked), ",".join(names)],
        cwd=tmp_path,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "CLAUSEWATCH_DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == f"built {','.join(names)}"


def runtime_packages(lock: dict[str, Any], root: str, *, with_dev: bool) -> set[str]:
    """The packages `uv sync --no-dev` (or, `with_dev`, plain `uv sync`) installs for `root`, read off uv.lock: each
    package's dependencies, and the optional ones of the extras a dependency asks for."""
    packages = {package["name"]: package for package in lock["package"]}
    wanted = [{"name": root}]
    if with_dev:
        wanted += [dep for group in packages[root].get("dev-dependencies", {}).values() for dep in group]
    found: set[str] = set()
    seen: set[tuple[str, str]] = set()
    while wanted:
        dependency = wanted.pop()
        package = packages[dependency["name"]]
        found.add(package["name"])
        for extra in ["", *dependency.get("extra", [])]:
            if (package["name"], extra) in seen:
                continue
            seen.add((package["name"], extra))
            wanted += (
                package.get("optional-dependencies", {}).get(extra, [])
                if extra
                else package.get("dependencies", [])
            )
    return found


def test_no_image_installs_the_scientific_stack() -> None:
    """Images sync with --no-dev: the lock's runtime closure holds no package this test blocks as science, and the
    dev group (training, tests) still brings it through the analyzer's `training` extra."""
    text = (ROOT / "deploy" / "Dockerfile").read_text()
    assert 'ARG NO_BROWSER="--no-install-package playwright"' in text
    assert text.count("uv sync --frozen --no-dev") == 4
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    science = {"scikit-learn", "scipy", "joblib", "threadpoolctl"}
    assert sorted(pkg.replace("scikit-learn", "sklearn") for pkg in science) == sorted(SCIENCE)
    runtime = runtime_packages(lock, "clausewatch", with_dev=False)
    assert {"clausewatch-analyzer", "numpy", "playwright", "nats-py"} <= runtime
    assert not science & runtime
    assert science <= runtime_packages(lock, "clausewatch", with_dev=True)
