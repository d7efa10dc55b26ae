"""Checked uploads waiting for their confirmation: a preview keeps the file it checked under a
random token, and the confirm step reads it back by that token.

Each file sits under ``instance/<folder>/`` named by its owner's id and the token, so one person
can never confirm another's upload, and a token that was never issued, is malformed or is older
than ``HOURS`` is "gone" (404) however it was made up.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.errors import NotFound

HOURS = 24  # a checked file waits this long for its confirmation


@dataclass(frozen=True)
class UploadStore:
    """Uploads of one kind: ``folder`` under the instance folder, ``kind`` for file names and
    the error code (``<kind>_upload_gone``)."""

    folder: str
    kind: str

    def _root(self) -> Path:
        root = Path(current_app.instance_path) / self.folder
        root.mkdir(parents=True, exist_ok=True)
        return root

    def _path(self, owner_id: int, token: str) -> Path:
        if not (token.isascii() and token.isalnum()):  # ours are token_hex, nothing else
            raise self.gone()
        return self._root() / f"{owner_id}-{token}.{self.kind}"

    def gone(self) -> NotFound:
        return NotFound(
            f"{self.kind}_upload_gone", _l("That upload is gone. Please upload the file again.")
        )

    def keep(self, owner_id: int, data: bytes) -> str:
        """Store ``data`` for ``owner_id``; the token names it. Expired files go on the way."""
        cutoff = time.time() - HOURS * 3600
        for old in self._root().glob(f"*.{self.kind}"):
            if old.stat().st_mtime < cutoff:
                old.unlink(missing_ok=True)
        token = secrets.token_hex(16)
        self._path(owner_id, token).write_bytes(data)
        return token

    def read(self, owner_id: int, token: str) -> bytes:
        """The file ``owner_id`` kept under ``token``, or ``gone()``."""
        path = self._path(owner_id, token)
        try:
            if path.stat().st_mtime < time.time() - HOURS * 3600:
                raise self.gone()
            return path.read_bytes()
        except FileNotFoundError:
            raise self.gone() from None

    def discard(self, owner_id: int, token: str) -> None:
        self._path(owner_id, token).unlink(missing_ok=True)
