"""A deployment of the scaled mode per test module (tests/scale/deployment.py)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.scale.deployment import Deployment

# Each module's deployment has a Redis database number of its own: Flask-SocketIO's channel
# and Celery's queues are per number (app/__init__.py socketio_channel), so two deployments
# tested at once never hear each other.
REDIS_DB_BY_MODULE = {"test_across_processes": 10, "test_web_process_killed": 11}


@pytest.fixture(scope="module")
def deployment(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    assert shutil.which("nginx"), "nginx is missing: scripts/install.sh --test installs it"
    name = Path(str(request.module.__file__)).stem
    settings = getattr(request.module, "SETTINGS", {})
    site = Deployment(tmp_path_factory.mktemp(name), REDIS_DB_BY_MODULE[name], **settings)
    site.start()
    try:
        yield site
    finally:
        site.stop()
