"""Stopping the service processes tests start, the way an orchestrator does."""

from __future__ import annotations

import signal
import subprocess


def stop_gracefully(proc: subprocess.Popen[bytes], timeout: float) -> None:
    """SIGTERM a process (it drains), SIGKILL it if it has not exited within `timeout` seconds; no-op if gone."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
