"""A deployment of the scaled mode per test module (tests/scale/deployment.py)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.scale.deployment import Deployment


@pytest.fixture(scope="module")
def deployment(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    assert shutil.which("nginx"), "nginx is missing: scripts/install.sh --test installs it"
    name = Path(str(request.module.__file__)).stem
    settings = getattr(request.module, "SETTINGS", {})
    site = Deployment(tmp_path_factory.mktemp(name), **settings)
    site.start()
    try:
        yield site
    finally:
        site.stop()
