"""kombu's filesystem transport (the embedded mode's Celery broker), with each message written
whole before it can be seen.

kombu's ``_put`` creates the message file under its final name and then writes it; a worker
polling the folder meanwhile moves and reads the empty file, the JSON decode fails outside any
handler and the worker stops ("Unrecoverable error"), losing the message (kombu issue #1551,
open). It happened in CI: a task sent while the worker polled. Here the message is written
under a name the consumer skips (it reads only ``*.<queue>.msg``) and renamed into place,
which POSIX makes atomic within one folder. Everything else is kombu's.
"""

from __future__ import annotations

import os
import uuid
from time import monotonic
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

# How app/celery_app.py names this transport to Celery (``broker_transport``).
TRANSPORT = "app.celery_filesystem:Transport"


class Channel(filesystem.Channel):
    # kombu's filesystem channel names the argument ``payload``, its base class ``message``: no
    # signature matches both.
    def _put(self, queue: Any, payload: Any, **kwargs: Any) -> None:  # type: ignore[override]
        """Put ``payload`` onto ``queue``: written under a hidden name, then renamed."""
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f".{name}.partial")
        try:
            with open(partial, "wb") as handle:
                handle.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
