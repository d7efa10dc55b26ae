"""gifts belong to a police area: people see, order and collect only their own area's gifts

Gifts never recorded who created them, so existing gifts go, in this order, to:
1. the one area whose police room is the gift's pickup place (officers write the room there,
   and that room's officers hand the gift over);
2. else the area most of its orders came from (the people who could collect it there);
3. else the first area (on a server with one area, the only one).

Revision ID: 0015_gift_areas
Revises: 0014_incident_widened_areas
Create Date: 2026-12-04 23:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0015_gift_areas'
down_revision = '0014_incident_widened_areas'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('gifts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('police_area_id', sa.Integer(), nullable=True))
    conn = op.get_bind()
    conn.execute(sa.text(
        "UPDATE gifts SET police_area_id = (SELECT CASE WHEN count(*) = 1 THEN min(p.id) END "
        "FROM police_areas p WHERE p.police_room <> '' AND p.police_room = gifts.pickup_place)"))
    conn.execute(sa.text(
        "UPDATE gifts SET police_area_id = (SELECT c.police_area_id FROM orders o "
        "JOIN users u ON u.id = o.user_id JOIN communities c ON c.id = u.community_id "
        "WHERE o.gift_id = gifts.id GROUP BY c.police_area_id "
        "ORDER BY count(*) DESC, c.police_area_id LIMIT 1) "
        "WHERE police_area_id IS NULL"))
    conn.execute(sa.text(
        "UPDATE gifts SET police_area_id = (SELECT min(id) FROM police_areas) "
        "WHERE police_area_id IS NULL"))
    if conn.execute(sa.text("SELECT count(*) FROM gifts WHERE police_area_id IS NULL")).scalar():
        raise RuntimeError("Gifts exist but no police area does: add a police area, then migrate.")
    with op.batch_alter_table('gifts', schema=None) as batch_op:
        batch_op.alter_column('police_area_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_gifts_police_area_id'), ['police_area_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_gifts_police_area_id_police_areas'),
                                    'police_areas', ['police_area_id'], ['id'])


def downgrade():
    with op.batch_alter_table('gifts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_gifts_police_area_id_police_areas'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_gifts_police_area_id'))
        batch_op.drop_column('police_area_id')
