"""A deployment of the scaled mode per test module (tests/scale/deployment.py), started once
per xdist worker and kept for the session: a module-scoped fixture is torn down and started
again (45 s) whenever another module's test runs between two of its own on that worker.
(scripts/test.sh runs ``--dist loadscope``, which keeps each module's tests on one worker.)"""

from __future__ import annotations

import shutil
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
import requests
from pluggy import Result

from tests.scale.deployment import Deployment, metric_lines

LOG_LINES = 60


@pytest.fixture(scope="session")
def _deployments() -> Iterator[dict[str, Deployment]]:
    started: dict[str, Deployment] = {}
    yield started
    for site in started.values():
        site.stop()


@pytest.fixture
def deployment(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _deployments: dict[str, Deployment],
) -> Deployment:
    assert shutil.which("nginx"), "nginx is missing: scripts/install.sh --test installs it"
    name = Path(str(request.module.__file__)).stem
    if name not in _deployments:
        settings = getattr(request.module, "SETTINGS", {})
        _deployments[name] = site = Deployment(tmp_path_factory.mktemp(name), **settings)
        site.start()
    return _deployments[name]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Result[pytest.TestReport], None]:
    """A failed test shows the end of each process's log (web processes, worker, beat, nginx),
    since what went wrong is most often on the server's side of a socket."""
    outcome = yield
    report = outcome.get_result()
    site = getattr(item, "funcargs", {}).get("deployment")
    if report.failed and isinstance(site, Deployment):
        for log in sorted(site.run_dir.glob("*.log")):
            if log.name != "nginx-access.log":
                tail = log.read_text(errors="replace").splitlines()[-LOG_LINES:]
                report.sections.append((f"{log.name} (last {LOG_LINES} lines)", "\n".join(tail)))
        for port in site.web_ports:
            report.sections.append((f"serve-{port} /metrics", _pool_and_events(port)))


def _pool_and_events(port: int) -> str:
    """What a process says of its database pool, its sockets and its events' times."""
    wanted = ("wanjia_db_connections", "wanjia_sockets_connected", "wanjia_socket_event_seconds_")
    try:
        return "\n".join(metric_lines(port, *wanted))
    except requests.RequestException as exc:
        return f"no answer: {exc!r}"
