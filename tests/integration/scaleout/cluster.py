"""A real 3-node NATS JetStream cluster on loopback, for the tests that check R3 streams and node loss."""

from __future__ import annotations

import contextlib
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.nats import free_port, nats_server_binary


@dataclass
class ClusterNode:
    """One nats-server of the cluster."""

    name: str
    port: int
    cluster_port: int
    monitor_port: int
    store: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self, routes: list[str]) -> None:
        self.process = subprocess.Popen(
            [
                nats_server_binary(),
                *("-js", "-sd", str(self.store), "-a", "127.0.0.1", "-p", str(self.port)),
                *("-n", self.name, "-m", str(self.monitor_port), "--cluster_name", "clausewatch-test"),
                *("--cluster", f"nats://127.0.0.1:{self.cluster_port}", "--routes", ",".join(routes)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def healthy(self) -> bool:
        """True once this node's JetStream is current with the cluster (the Kubernetes probe's check)."""
        url = f"http://127.0.0.1:{self.monitor_port}/healthz"
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=1) as response:
            return int(response.status) == 200
        return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None


@dataclass
class Cluster:
    """Three routed nats-servers with JetStream."""

    nodes: list[ClusterNode] = field(default_factory=list)

    @property
    def url(self) -> str:
        """All client URLs, comma-separated, as CLAUSEWATCH_NATS_URL takes them."""
        return ",".join(n.url for n in self.nodes)

    def node(self, name: str) -> ClusterNode:
        return next(n for n in self.nodes if n.name == name)


@contextlib.contextmanager
def running_cluster(root: Path, size: int = 3) -> Iterator[Cluster]:
    """Start a JetStream cluster and wait until every node reports healthy."""
    cluster = Cluster(
        [ClusterNode(f"n{i}", free_port(), free_port(), free_port(), root / f"n{i}") for i in range(size)]
    )
    try:
        for node in cluster.nodes:
            node.start([f"nats://127.0.0.1:{o.cluster_port}" for o in cluster.nodes if o is not node])
        deadline = time.monotonic() + 30
        while not all(n.healthy() for n in cluster.nodes):
            if time.monotonic() > deadline:
                msg = "the NATS cluster did not become healthy"
                raise RuntimeError(msg)
            time.sleep(0.1)
        yield cluster
    finally:
        for node in cluster.nodes:
            node.stop()
