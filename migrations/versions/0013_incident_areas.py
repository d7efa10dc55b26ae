"""incidents belong to a police area: consoles see and act on their own areas' incidents

Existing incidents go to the area of the dispatcher who made them (their area, else their
community's), else to the first area.

Revision ID: 0013_incident_areas
Revises: 0012_first_login_codes
Create Date: 2026-12-04 22:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0013_incident_areas'
down_revision = '0012_first_login_codes'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('police_area_id', sa.Integer(), nullable=True))
    conn = op.get_bind()
    conn.execute(sa.text(
        "UPDATE incidents SET police_area_id = (SELECT coalesce(u.police_area_id, "
        "(SELECT c.police_area_id FROM communities c WHERE c.id = u.community_id)) "
        "FROM users u WHERE u.id = incidents.created_by_id)"))
    conn.execute(sa.text(
        "UPDATE incidents SET police_area_id = (SELECT min(id) FROM police_areas) "
        "WHERE police_area_id IS NULL"))
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.alter_column('police_area_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_incidents_police_area_id'), ['police_area_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_incidents_police_area_id_police_areas'),
                                    'police_areas', ['police_area_id'], ['id'])


def downgrade():
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_incidents_police_area_id_police_areas'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_incidents_police_area_id'))
        batch_op.drop_column('police_area_id')
