"""The sightings' hourly sweep: a file a killed or rolled-back upload left behind goes after a
day; the photos and voice notes of reports stay and are still served."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask

from app.media_store import UNREFERENCED_FOR
from sightings import tasks
from sightings.reporting import STORE
from tests.app.test_media_sweep import age
from tests.media_samples import webm_voice
from tests.sightings.conftest import Someone, jpeg, report_body, upload

pytestmark = pytest.mark.both_databases


def test_files_no_report_names_go_and_reported_media_stay(
    app: Flask, volunteer: Someone, officer: Someone
) -> None:
    sighting = volunteer.http.post("/api/sightings", json=report_body()).get_json()
    photo = upload(volunteer, sighting["id"], jpeg()).get_json()
    voice = upload(volunteer, sighting["id"], webm_voice(3.0), kind="voice").get_json()
    with app.app_context():
        folder = Path(app.instance_path) / STORE.folder
        left_behind = STORE.save(b"written, then the transaction rolled back", "jpg")
        for path in folder.iterdir():
            age(STORE, path.name, UNREFERENCED_FOR + timedelta(hours=1))
        kept = {p.name for p in folder.iterdir()} - {left_behind}
        assert len(kept) == 3  # the photo, its thumbnail and the voice note

    assert tasks.sweep_unreferenced_media() == 1

    with app.app_context():
        assert {p.name for p in folder.iterdir()} == kept
    for url in (photo["url"], photo["thumb_url"], voice["url"]):
        assert officer.http.get(url).status_code == 200, url
