"""incident widened areas: a dispatcher's explicit choice to ask a neighbouring police area's
people for an incident (who chose it and when; that area's console sees the incident)

Revision ID: 0014_incident_widened_areas
Revises: 0013_incident_areas
Create Date: 2026-12-04 23:30:00

"""
import sqlalchemy as sa
from alembic import op

from app.types import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0014_incident_widened_areas'
down_revision = '0013_incident_areas'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'incident_widened_areas',
        sa.Column('incident_id', sa.Integer(), nullable=False),
        sa.Column('police_area_id', sa.Integer(), nullable=False),
        sa.Column('widened_by_id', sa.Integer(), nullable=False),
        sa.Column('widened_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['incident_id'], ['incidents.id'],
            name=op.f('fk_incident_widened_areas_incident_id_incidents')),
        sa.ForeignKeyConstraint(
            ['police_area_id'], ['police_areas.id'],
            name=op.f('fk_incident_widened_areas_police_area_id_police_areas')),
        sa.ForeignKeyConstraint(
            ['widened_by_id'], ['users.id'],
            name=op.f('fk_incident_widened_areas_widened_by_id_users')),
        sa.PrimaryKeyConstraint(
            'incident_id', 'police_area_id', name=op.f('pk_incident_widened_areas')),
    )
    with op.batch_alter_table('incident_widened_areas', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_incident_widened_areas_police_area_id'), ['police_area_id'],
            unique=False)


def downgrade():
    with op.batch_alter_table('incident_widened_areas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_widened_areas_police_area_id'))
    op.drop_table('incident_widened_areas')
