"""Where cleaned photos and voice notes are kept: ``instance/<folder>/``, never under ``static/``,
so no file is served except through a route that checks who asks.

Every name is made here (``secrets.token_hex(16)`` and an extension from a fixed set); nothing a
person sent ever becomes part of a path, and a name not of our shape is "gone" however it was
made up (``../../etc/passwd`` included).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.errors import NotFound

EXTENSIONS = frozenset({"jpg", "webm", "m4a"})
_NAME = re.compile(r"[0-9a-f]{32}\.(?:jpg|webm|m4a)")
_FOLDER = re.compile(r"[a-z0-9][a-z0-9_-]*")
# How old a file no row names must be before the sweep deletes it: every upload in flight has
# long been committed (or rolled back), and a photo uploaded for a form is sent the same day.
UNREFERENCED_FOR = timedelta(days=1)


@dataclass(frozen=True)
class MediaStore:
    """Media files of one kind, under ``folder`` in the instance folder."""

    folder: str

    def __post_init__(self) -> None:
        if not _FOLDER.fullmatch(self.folder):
            raise ValueError(f"a media folder is one plain name, not {self.folder!r}")

    def _root(self) -> Path:
        root = Path(current_app.instance_path) / self.folder
        root.mkdir(parents=True, exist_ok=True)
        return root

    def _path(self, name: str) -> Path:
        if not _NAME.fullmatch(name):
            raise gone()
        return self._root() / name

    def save(self, data: bytes, ext: str) -> str:
        """Keep ``data`` under a new name of our making, which is returned."""
        if ext not in EXTENSIONS:
            raise ValueError(f"media files are {sorted(EXTENSIONS)}, not {ext!r}")
        name = f"{secrets.token_hex(16)}.{ext}"
        with self._path(name).open("xb") as handle:  # "x": never over another file
            handle.write(data)
        return name

    def path_of(self, name: str) -> Path:
        """The file kept under ``name``; ``NotFound`` (``media_gone``) when the name is not one
        we make or its file is no longer there."""
        path = self._path(name)
        if not path.is_file():
            raise gone()
        return path

    def remove(self, name: str) -> None:
        """Delete the file kept under ``name``; a file already gone is fine."""
        self._path(name).unlink(missing_ok=True)

    def sweep(
        self,
        session: Session,
        columns: Sequence[InstrumentedAttribute[str] | InstrumentedAttribute[str | None]],
        now: datetime,
    ) -> list[str]:
        """Delete the files kept over ``UNREFERENCED_FOR`` ago that no row names in
        ``columns`` (a photo uploaded for a broadcast never sent, a report's photo whose
        transaction rolled back after its file was written); returns their names."""
        cutoff = (now - UNREFERENCED_FOR).timestamp()
        old = [
            path.name
            for path in self._root().iterdir()
            if _NAME.fullmatch(path.name) and path.stat().st_mtime < cutoff
        ]
        named: set[str | None] = set()
        for start in range(0, len(old), 500):
            chunk = old[start : start + 500]
            for column in columns:
                named.update(session.scalars(select(column).where(column.in_(chunk))))
        unreferenced = [name for name in old if name not in named]
        for name in unreferenced:
            self.remove(name)
        return unreferenced


def gone() -> NotFound:
    return NotFound("media_gone", _l("This photo or recording is no longer here."))
