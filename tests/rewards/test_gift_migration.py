"""Migration 0015 on a database with gifts: each goes to the area whose police room hands it
over, else the area its orders came from, else the first area; and it goes down again."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app.extensions import db
from app.roles import Role
from app.types import UTCDateTime, utcnow
from app.uow import unit_of_work
from volunteers import services

GIFTS = sa.table(
    "gifts",
    sa.column("id", sa.Integer()),
    sa.column("name", sa.String()),
    sa.column("description", sa.Text()),
    sa.column("price", sa.Integer()),
    sa.column("stock", sa.Integer()),
    sa.column("per_person_limit", sa.Integer()),
    sa.column("pickup_place", sa.String()),
    sa.column("retired", sa.Boolean()),
    sa.column("created_at", UTCDateTime()),
)
ORDERS = sa.table(
    "orders",
    sa.column("user_id", sa.Integer()),
    sa.column("gift_id", sa.Integer()),
    sa.column("price", sa.Integer()),
    sa.column("status", sa.String()),
    sa.column("pickup_code", sa.String()),
    sa.column("client_key", sa.String()),
    sa.column("created_at", UTCDateTime()),
    sa.column("collect_by", UTCDateTime()),
)


def _gift(conn, gift_id: int, pickup_place: str) -> None:
    conn.execute(
        GIFTS.insert().values(
            id=gift_id,
            name=f"礼品{gift_id}",
            description="",
            price=10,
            stock=3,
            per_person_limit=1,
            pickup_place=pickup_place,
            retired=False,
            created_at=utcnow(),
        )
    )


def _order(conn, user_id: int, gift_id: int, code: str) -> None:
    now = utcnow()
    conn.execute(
        ORDERS.insert().values(
            user_id=user_id,
            gift_id=gift_id,
            price=10,
            status="collected",
            pickup_code=code,
            client_key=code,
            created_at=now,
            collect_by=now + timedelta(days=7),
        )
    )


@pytest.mark.both_databases
def test_existing_gifts_go_to_the_area_that_hands_them_over(app, area, second_area, make_user):
    first, second = area["police_area_id"], second_area["police_area_id"]
    here = make_user(Role.VOLUNTEER)
    with app.app_context(), unit_of_work() as uow:
        there = services.create_user(
            uow,
            name="北湖队员",
            phone="13900000201",
            password="secret-pass-1",
            role=Role.VOLUNTEER,
            placement=services.Placement(second_area["community_id"]),
            hash_method=app.config["PASSWORD_HASH_METHOD"],
        )
        uow.commit()
    with app.app_context():
        downgrade(revision="0014_incident_widened_areas")
        with db.engine.begin() as conn:
            conn.execute(
                sa.text("UPDATE police_areas SET police_room = :room WHERE id = :id"),
                {"room": "北湖社区警务室", "id": second},
            )
            _gift(conn, 1, "北湖社区警务室")  # names the second area's room
            _gift(conn, 2, "社区服务中心")  # ordered twice from the second area, once here
            _order(conn, there.id, 2, "AAAA2222")
            _order(conn, there.id, 2, "AAAA3333")
            _order(conn, here.id, 2, "AAAA4444")
            _gift(conn, 3, "")  # nothing tells: the first area
        upgrade()
        with db.engine.connect() as conn:
            placed = dict(conn.execute(sa.text("SELECT id, police_area_id FROM gifts")).all())
        assert placed == {1: second, 2: second, 3: first}
        downgrade(revision="0014_incident_widened_areas")
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("gifts")}
        assert "police_area_id" not in columns
        upgrade()
        db.session.remove()
