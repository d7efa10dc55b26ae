"""What a ``wanjia doctor`` check reports: one finding, and the fix an operator can apply."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from flask import Flask

Level = Literal["ok", "warn", "fail"]


@dataclass(frozen=True)
class Finding:
    check: str
    level: Level
    message: str
    fix: str = ""


# Every check has this shape: the app and the moment "now"; problems are reported, not raised.
Check = Callable[[Flask, dt.datetime], list[Finding]]
