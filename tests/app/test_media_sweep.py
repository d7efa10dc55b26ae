"""The media sweep deletes a kept file only when it is a day old and no row names it: files of
a rolled-back report or of a broadcast never sent go; what a row names, what is younger, and
what the store did not make stay."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from app.extensions import db
from app.media_store import UNREFERENCED_FOR, MediaStore
from app.roles import Role
from app.types import utcnow
from app.uow import unit_of_work
from police_room.models import OfficerProfile

pytestmark = pytest.mark.both_databases


def age(store: MediaStore, name: str, by: timedelta) -> None:
    """Make the file kept under ``name`` look written ``by`` ago."""
    then = (utcnow() - by).timestamp()
    os.utime(store.path_of(name), (then, then))


def test_only_old_files_no_row_names_are_deleted(app, make_user):
    store = MediaStore("sweep-test")
    officers = [make_user(Role.OFFICER) for _ in range(2)]
    with app.app_context():
        named = [store.save(b"named", "jpg") for _ in officers]
        # Past 500, so the names are looked up in more than one query.
        stray = [store.save(b"stray", "jpg") for _ in range(520)]
        young = store.save(b"young", "jpg")
        for name in [*named, *stray]:
            age(store, name, UNREFERENCED_FOR + timedelta(minutes=1))
        age(store, young, UNREFERENCED_FOR - timedelta(minutes=5))
        foreign = Path(app.instance_path) / "sweep-test" / "README.txt"
        foreign.write_text("an operator's note")
        os.utime(foreign, (0, 0))
        with unit_of_work() as uow:
            for officer, name in zip(officers, named, strict=True):
                uow.session.add(OfficerProfile(user_id=officer.id, photo_name=name))
            uow.commit()

        swept = store.sweep(db.session, [OfficerProfile.photo_name], utcnow())

        assert sorted(swept) == sorted(stray)
        for name in [*named, young]:
            assert store.path_of(name).is_file()
        assert foreign.read_text() == "an operator's note"
        assert store.sweep(db.session, [OfficerProfile.photo_name], utcnow()) == []
