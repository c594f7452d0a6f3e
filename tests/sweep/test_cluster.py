"""``astrolava sweep --address`` on a Ray cluster started the way a user starts one
(``ray start --head``), and the local default when another Ray is announced.

The cluster runs in its own session with its own ``--temp-dir`` (so that no other
``ray.init()`` on this machine joins it) and token authentication (``RAY_AUTH_MODE=token``,
``RAY_AUTH_TOKEN``), as a shared machine needs, and with gRPC's fork support off
(:data:`CLUSTER_ENV`). It is stopped as ``ray stop`` stops one: the
raylet, then the other processes, then the GCS server, each sent SIGTERM and killed after a
grace period. ``ray stop`` itself is not run: it stops every Ray on the machine, other tests'
and other users' included.
"""

import json
import os
import secrets
import shutil
import signal
import socket
import sys
import tempfile
import time
from pathlib import Path

import pytest

pytest.importorskip("ray.tune")

sys.path.insert(0, str(Path(__file__).parents[1] / "reliability"))
import faults  # noqa: E402

RAY = Path(sys.executable).with_name("ray")
STOP_ORDER = (("raylet",), (), ("gcs_server",))
"""``ray stop``'s order, by executable: the raylet, every other process (empty: the rest),
the GCS server."""
_ALL_NAMED = tuple(name for group in STOP_ORDER for name in group)
STOP_GRACE_S = 30.0
"""Seconds ``ray stop`` gives its processes to exit on SIGTERM, in all (a third per group)."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _alive(sid: int) -> list[str]:
    """``"pid state cmdline"`` of the live (non-zombie) processes of session ``sid``."""
    return [line for line in faults.session_processes(sid) if line.split()[1] != "Z"]


def _stop_cluster(sid: int) -> tuple[list[str], list[str]]:
    """Stop the processes of session ``sid`` in :data:`STOP_ORDER`; return those that needed
    SIGKILL and those still alive after it."""
    forced = []
    for group in STOP_ORDER:
        pids = [int(line.split()[0]) for line in _alive(sid)
                if (_executable(line) in group if group else
                    _executable(line) not in _ALL_NAMED)]
        for pid in pids:
            _signal(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S / len(STOP_ORDER)
        while _still(sid, pids) and time.monotonic() < deadline:
            time.sleep(0.2)
        forced += _still(sid, pids)
        for line in _still(sid, pids):
            _signal(int(line.split()[0]), signal.SIGKILL)
    return forced, _exited(sid, 10.0)


def _executable(line: str) -> str:
    """The executable's name in a ``"pid state cmdline"`` line (``raylet``, ``gcs_server``,
    ``python``, or a worker's title such as ``ray::IDLE``)."""
    return Path(line.split()[2]).name


def _exited(sid: int, timeout: float = 30.0) -> list[str]:
    """Wait up to ``timeout`` s for session ``sid`` to empty; return who is still alive."""
    deadline = time.monotonic() + timeout
    while _alive(sid) and time.monotonic() < deadline:
        time.sleep(0.2)
    return _alive(sid)


def _still(sid: int, pids: list[int]) -> list[str]:
    """The processes of ``pids`` still alive in session ``sid``."""
    return [line for line in _alive(sid) if int(line.split()[0]) in pids]


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


CLUSTER_ENV = {"GRPC_ENABLE_FORK_SUPPORT": "0"}
"""Environment of the cluster's processes beyond the token: grpcio's fork support off.

Ray's client proxy starts the server of each ``ray://`` client with ``subprocess.Popen(...,
preexec_fn=...)``, a fork of a process whose other threads are inside gRPC. With fork support
on (grpcio's default) gRPC restarts its ``event_engine`` threads in the child, which can crash
before the child execs (a segfault in ``cygrpc``, in ``dmesg``): the server's log stays empty
and the client gets "Starting Ray client server failed". Off, the child runs only the
pre-exec function and execs. Outside Ray (a gRPC server busy in two threads, 1300 forks of
``/bin/true`` with a ``preexec_fn``, grpcio 1.85.3) 23 children died before their exec with
fork support on, none with it off.
"""

START_TRIES = 3
"""``ray start`` gives its raylet a fixed 30 s to register; on an overloaded machine it
misses that ("timed out during startup"), and the head is started again on fresh ports."""


def _start_head(env: dict, temp_dir: str) -> tuple:
    """``ray start --head`` (one CPU, a client server) in a session of its own, tried up to
    :data:`START_TRIES` times when the raylet misses its start-up timeout; returns the
    ``Popen`` of ``ray start`` (the session leader) and the two addresses."""
    for attempt in range(1, START_TRIES + 1):
        port, client_port = _free_port(), _free_port()
        start = faults.start([str(RAY), "start", "--head", "--num-cpus", "1", "--port", str(port),
                              "--ray-client-server-port", str(client_port),
                              "--node-ip-address", "127.0.0.1", "--include-dashboard=false",
                              "--disable-usage-stats", "--temp-dir", temp_dir], env=env)
        start.wait(timeout=300)
        stdout, stderr = faults.output(start)
        if start.returncode == 0:
            return start, {"gcs": f"127.0.0.1:{port}", "client": f"ray://127.0.0.1:{client_port}"}
        faults.kill_session(start.pid)
        if "timed out during startup" not in stdout + stderr or attempt == START_TRIES:
            pytest.fail(f"ray start --head failed (try {attempt}):\n{stdout}\n{stderr}")


def _client_server_logs(logs: Path, keep: Path) -> str:
    """Copy the cluster's log folder ``logs`` to ``keep``; return the error logs of Ray's
    client servers there (the proxy's ``ray_client_server.err``, and
    ``ray_client_server_<port>.err`` of each per-client server)."""
    shutil.copytree(logs, keep, dirs_exist_ok=True)
    return "\n".join(f"--- {path}:\n{path.read_text()[-3000:]}"
                     for path in sorted(keep.glob("ray_client_server*.err")))


@pytest.fixture
def ray_cluster():
    """A one-CPU Ray head started by ``ray start --head`` with Ray's client server; yields
    ``({"gcs": "host:port", "client": "ray://host:port"}, env, logs)``, ``logs`` the folder of
    its session's logs; at the end it is stopped: every one of its processes must exit on
    SIGTERM."""
    env = {**os.environ, **CLUSTER_ENV, "RAY_AUTH_MODE": "token",
           "RAY_AUTH_TOKEN": secrets.token_hex(32)}
    env.pop("RAY_ADDRESS", None)
    temp_dir = tempfile.mkdtemp(prefix="ray", dir="/tmp")  # short: Ray's socket paths
    start = None
    try:
        start, addresses = _start_head(env, temp_dir)
        yield addresses, env, Path(temp_dir) / "session_latest" / "logs"
        forced, left = _stop_cluster(start.pid)
        assert left == [], f"processes of the Ray cluster survived SIGKILL: {left}"
        assert forced == [], f"processes of the Ray cluster ignored SIGTERM: {forced}"
    finally:
        if start is not None:
            start.kill()
            faults.kill_session(start.pid)
        shutil.rmtree(temp_dir, ignore_errors=True)


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize("kind", ["gcs", "client"])
def test_sweep_runs_on_a_cluster_started_with_ray_start(ray_cluster, kind, tmp_path):
    """Two one-epoch trials of a tiny net on digits, run on the cluster (its one CPU), not
    on a local Ray, through the cluster's GCS address or Ray's client (``ray://``); the
    command leaves no process behind."""
    addresses, env, logs = ray_cluster
    address = addresses[kind]
    out = tmp_path / "sweep"
    cli = faults.cli("sweep", "--address", address, "--dataset", "digits", "--network", "rate",
                     "--hidden", "16", "--train-size", "200", "--grid", "eta=1e-3,3e-3",
                     "--seeds", "0", "--epochs", "1", "--baseline", "none", "--out", str(out),
                     env=env)
    try:
        cli.wait(timeout=600)
        stdout, stderr = faults.output(cli)
        assert cli.returncode == 0, (
            f"{stderr[-3000:]}\n{_client_server_logs(logs, tmp_path / 'ray-logs')}")
        assert _exited(cli.pid) == []
    finally:
        cli.kill()
        faults.kill_session(cli.pid)
    result = json.loads((out / "sweep.json").read_text())
    assert result["ray"] == {"address": address, "cpus": 1.0}
    search = result["methods"]["delta-mgd"]["search"]
    assert sorted(t["set"]["eta"] for t in search) == [1e-3, 3e-3]
    assert [t["status"] for t in search] == ["complete", "complete"]
    assert all(len(t["curve"]) == 1 for t in search)
    assert "| delta-mgd |" in stdout


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_without_an_address_a_local_ray_starts_even_if_another_is_announced(monkeypatch):
    """``ray.init()`` joins the cluster that ``RAY_ADDRESS`` (or the last ``ray start`` on
    this machine) names; a sweep without ``--address`` starts a Ray of its own instead."""
    import ray

    from astrolava.sweep import ray_session

    monkeypatch.setenv("RAY_ADDRESS", "127.0.0.1:1")  # nothing listens there
    with ray_session(num_cpus=1) as resources:
        assert resources["CPU"] == 1.0
        assert ray.get_runtime_context().gcs_address != "127.0.0.1:1"
    assert not ray.is_initialized()
