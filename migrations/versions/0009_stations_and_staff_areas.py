"""stations above police areas; police-room staff belong to an area or a station

Existing areas are put under one station named after the first of them; existing officers and
dispatchers are placed in the area of their community (or, without one, in the station), so
nobody who worked before loses their view, and nobody sees more than their area did.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 22:00:00

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa

import app.types


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('duty_phone', sa.String(length=40), nullable=False),
    sa.Column('created_at', app.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stations'))
    )
    with op.batch_alter_table('police_areas', schema=None) as batch_op:
        batch_op.add_column(sa.Column('station_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('timezone', sa.String(length=40), nullable=False,
                                      server_default='Asia/Shanghai'))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('police_area_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('station_id', sa.Integer(), nullable=True))

    conn = op.get_bind()
    first = conn.execute(sa.text("SELECT name FROM police_areas ORDER BY id LIMIT 1")).scalar()
    if first is not None:
        stations = sa.table('stations', sa.column('name', sa.String()),
                            sa.column('duty_phone', sa.String()),
                            sa.column('created_at', app.types.UTCDateTime()))
        conn.execute(stations.insert().values(name=f"{first}所属派出所", duty_phone="",
                                              created_at=datetime.now(timezone.utc)))
        station = conn.execute(sa.text("SELECT max(id) FROM stations")).scalar()
        conn.execute(sa.text("UPDATE police_areas SET station_id = :s"), {"s": station})
        conn.execute(sa.text(
            "UPDATE users SET police_area_id = (SELECT c.police_area_id FROM communities c "
            "WHERE c.id = users.community_id) "
            "WHERE role IN ('officer', 'dispatcher') AND community_id IS NOT NULL"))
        conn.execute(
            sa.text("UPDATE users SET station_id = :s WHERE role IN ('officer', 'dispatcher') "
                    "AND police_area_id IS NULL"), {"s": station})

    with op.batch_alter_table('police_areas', schema=None) as batch_op:
        batch_op.alter_column('station_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_police_areas_station_id'), ['station_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_police_areas_station_id_stations'),
                                    'stations', ['station_id'], ['id'])
        batch_op.alter_column('timezone', existing_type=sa.String(length=40),
                              server_default=None)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_police_area_id'), ['police_area_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_users_station_id'), ['station_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_users_police_area_id_police_areas'),
                                    'police_areas', ['police_area_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_users_station_id_stations'),
                                    'stations', ['station_id'], ['id'])


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_station_id_stations'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_users_police_area_id_police_areas'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_users_station_id'))
        batch_op.drop_index(batch_op.f('ix_users_police_area_id'))
        batch_op.drop_column('station_id')
        batch_op.drop_column('police_area_id')
    with op.batch_alter_table('police_areas', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_police_areas_station_id_stations'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_police_areas_station_id'))
        batch_op.drop_column('timezone')
        batch_op.drop_column('station_id')
    op.drop_table('stations')
