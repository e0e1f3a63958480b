"""A real 3-node NATS JetStream cluster on loopback, for the tests that check R3 streams and node loss."""

from __future__ import annotations

import contextlib
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.nats import NatsStartError, spawn, stop_process, wait_listening
from tests.support.ports import PORT_ATTEMPTS, free_port


@dataclass
class ClusterNode:
    """One nats-server of the cluster."""

    name: str
    port: int
    cluster_port: int
    monitor_port: int
    store: Path
    process: subprocess.Popen[bytes] | None = None
    log_offset: int = 0

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self, routes: list[str]) -> None:
        """Start the process; `listening` waits for it."""
        self.process, self.log_offset = spawn(
            [
                *("-js", "-sd", str(self.store), "-a", "127.0.0.1", "-p", str(self.port)),
                *("-n", self.name, "-m", str(self.monitor_port), "--cluster_name", "clausewatch-test"),
                *("--cluster", f"nats://127.0.0.1:{self.cluster_port}", "--routes", ",".join(routes)),
            ],
            self.store,
        )

    def listening(self) -> None:
        """Wait until this node's own process has bound its three ports (NatsStartError if it exits first)."""
        assert self.process is not None
        what = f"cluster node {self.name} (pid {self.process.pid})"
        ports = wait_listening(self.process, self.store, self.log_offset, what)
        bound = (ports["nats"], ports.get("monitoring"), ports.get("cluster"))
        assert bound == ([self.port], [self.monitor_port], [self.cluster_port]), (what, ports)

    def exited(self) -> bool:
        return self.process is None or self.process.poll() is not None

    def healthy(self) -> bool:
        """True once this node's JetStream is current with the cluster (the Kubernetes probe's check)."""
        url = f"http://127.0.0.1:{self.monitor_port}/healthz"
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=1) as response:
            return int(response.status) == 200
        return False

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
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


def _start_nodes(root: Path, size: int) -> Cluster:
    """Start the nodes on fresh ports, again on others (and fresh stores) when a node finds one of its ports taken.

    The routes name every node's cluster port up front, so the ports are picked before any node starts; each node
    is then checked through its own ports file, never by connecting to a port another server may hold.
    """
    for attempt in range(1, PORT_ATTEMPTS + 1):
        base = root if attempt == 1 else root / f"attempt-{attempt}"
        cluster = Cluster(
            [ClusterNode(f"n{i}", free_port(), free_port(), free_port(), base / f"n{i}") for i in range(size)]
        )
        try:
            for node in cluster.nodes:
                node.start([f"nats://127.0.0.1:{o.cluster_port}" for o in cluster.nodes if o is not node])
            for node in cluster.nodes:
                node.listening()
        except BaseException as error:
            for node in cluster.nodes:
                node.stop()
            if not (isinstance(error, NatsStartError) and error.address_in_use) or attempt == PORT_ATTEMPTS:
                raise
            continue
        return cluster
    msg = "PORT_ATTEMPTS must be at least 1"
    raise ValueError(msg)


@contextlib.contextmanager
def running_cluster(root: Path, size: int = 3) -> Iterator[Cluster]:
    """Start a JetStream cluster and wait until every node reports healthy."""
    cluster = _start_nodes(root, size)
    try:
        deadline = time.monotonic() + 30
        while not all(n.healthy() for n in cluster.nodes):
            if dead := [n.name for n in cluster.nodes if n.exited()]:
                msg = (
                    f"NATS cluster nodes exited before the cluster became healthy: {dead} (stderr in {root})"
                )
                raise RuntimeError(msg)
            if time.monotonic() > deadline:
                msg = "the NATS cluster did not become healthy"
                raise RuntimeError(msg)
            time.sleep(0.1)
        yield cluster
    finally:
        for node in cluster.nodes:
            node.stop()
