"""The README's first command installs with ``scripts/install.sh`` and no flag: its steps must
all run (a ``set -e`` script stops silently at the first failing line)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _stand_in(path: Path) -> None:
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)


@pytest.mark.parametrize("flag", [[], ["--test"]])
def test_the_install_script_runs_to_the_end(tmp_path, flag):
    if not (ROOT / "node_modules").is_dir():
        pytest.skip("the front-end packages are not installed here")
    # A copy of the project's install inputs, with pip and npm standing in: the script's own
    # steps are what is tested, and nothing of the real checkout or virtualenv is touched.
    project = tmp_path / "project"
    (project / "scripts").mkdir(parents=True)
    for name in ("scripts/install.sh", "pyproject.toml", "package-lock.json"):
        shutil.copy2(ROOT / name, project / name)
    shutil.copytree(
        ROOT / "node_modules" / "leaflet" / "dist", project / "node_modules/leaflet/dist"
    )
    shutil.copytree(
        ROOT / "node_modules" / "socket.io-client" / "dist",
        project / "node_modules/socket.io-client/dist",
    )
    shutil.copytree(ROOT / "node_modules" / "uplot" / "dist", project / "node_modules/uplot/dist")
    shutil.copytree(
        ROOT / "node_modules" / "@geoman-io" / "leaflet-geoman-free" / "dist",
        project / "node_modules/@geoman-io/leaflet-geoman-free/dist",
    )
    shutil.copytree(
        ROOT / "node_modules" / "leaflet.heat" / "dist", project / "node_modules/leaflet.heat/dist"
    )
    tools = tmp_path / "tools"
    venv = tmp_path / "venv"
    for folder in (tools, venv / "bin"):
        folder.mkdir(parents=True)
    for tool in (venv / "bin" / "python", venv / "bin" / "pip", tools / "npm"):
        _stand_in(tool)
    env = {**os.environ, "VENV": str(venv), "PATH": f"{tools}:{os.environ['PATH']}"}
    done = subprocess.run(
        ["bash", "scripts/install.sh", *flag],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert f"installed into {venv}" in done.stdout
    assert (venv / (".installed-test" if flag else ".installed")).exists()
    assert (project / "static/vendor/leaflet/leaflet.js").exists()
