"""The embedded broker's messages are never seen half written: kombu's filesystem transport
created the file under its final name and wrote it after, and a worker polling meanwhile read
it empty, failed outside any handler and stopped (kombu #1551; it happened in CI)."""

from __future__ import annotations

from pathlib import Path
from queue import Empty
from typing import Any

import pytest
from kombu import Connection

from app import celery_filesystem

QUEUE = "celery"


@pytest.fixture
def channel(tmp_path: Path) -> Any:
    folder = tmp_path / "queue"
    folder.mkdir()
    options = {"data_folder_in": str(folder), "data_folder_out": str(folder)}
    with Connection(transport=celery_filesystem.TRANSPORT, transport_options=options) as conn:
        yield conn.default_channel


def test_a_message_is_invisible_until_written_whole(channel, monkeypatch):
    seen_before_rename: list[Any] = []
    rename = celery_filesystem.os.replace

    def look_first(partial: str, final: str) -> None:
        assert Path(partial).read_bytes()  # fully written under its hidden name
        try:
            seen_before_rename.append(channel._get(QUEUE))
        except Empty:
            pass
        rename(partial, final)

    monkeypatch.setattr(celery_filesystem.os, "replace", look_first)
    channel._put(QUEUE, {"body": "escalate incident 7"})
    assert seen_before_rename == []  # a polling worker found nothing to read yet
    assert channel._get(QUEUE) == {"body": "escalate incident 7"}
    with pytest.raises(Empty):
        channel._get(QUEUE)


def test_the_app_uses_it_for_the_embedded_broker(app):
    conf = app.extensions["celery"].conf
    assert conf.broker_url == "filesystem://"
    assert conf.broker_transport == celery_filesystem.TRANSPORT
    with app.extensions["celery"].connection_for_write() as connection:
        assert isinstance(connection.transport, celery_filesystem.Transport)
