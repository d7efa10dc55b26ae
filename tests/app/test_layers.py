"""The layering contracts (pyproject.toml, checked by lint-imports) leave no module of app/ out."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_app_module_is_either_kernel_or_composition():
    """A new module in app/ must be named: kernel (imports no domain) or composition (may)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    contracts = {contract["id"]: contract for contract in config["contracts"]}
    kernel = set(contracts["kernel"]["source_modules"])
    composition = {"app"} | set(contracts["composition"]["forbidden_modules"])
    modules = {"app"} | {f"app.{path.stem}" for path in (ROOT / "app").glob("*.py")} - {
        "app.__init__"
    }
    assert not kernel & composition
    unnamed = sorted(modules - kernel - composition)
    assert not unnamed, (
        f"add {unnamed} to the kernel contract's source_modules in pyproject.toml (or, if they "
        "wire domain packages together, to the composition contract's forbidden_modules)"
    )
    assert not (kernel | composition) - modules, "pyproject.toml names modules app/ lacks"
