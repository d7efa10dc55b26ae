"""A deployment of the scaled mode per test module (tests/scale/deployment.py), started once
per xdist worker and kept for the session: a module-scoped fixture is torn down and started
again (45 s) whenever another module's test runs between two of its own on that worker.
(scripts/test.sh runs ``--dist loadscope``, which keeps each module's tests on one worker.)"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.scale.deployment import Deployment


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
