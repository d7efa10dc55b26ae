"""held checkins: doubtful scans kept as patrols whose points wait for an officer (evidence
grade, the person's appeal, the officer's decision)

Revision ID: 0011_held_checkins
Revises: 0010_point_corrections
Create Date: 2026-12-10 10:00:00

"""
from alembic import op
import sqlalchemy as sa

import app.types


# revision identifiers, used by Alembic.
revision = '0011_held_checkins'
down_revision = '0010_point_corrections'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.add_column(sa.Column('grade', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('appealed_at', app.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('appeal_note', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('decided_at', app.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('decided_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('decision_note', sa.String(length=200), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_checkins_decided_by_id_users'), 'users', ['decided_by_id'], ['id']
        )
        batch_op.create_index(
            'ix_checkins_held',
            ['server_time'],
            unique=False,
            postgresql_where=sa.text("status = 'held'"),
            sqlite_where=sa.text("status = 'held'"),
        )


def downgrade():
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.drop_index('ix_checkins_held')
        batch_op.drop_constraint(batch_op.f('fk_checkins_decided_by_id_users'), type_='foreignkey')
        batch_op.drop_column('decision_note')
        batch_op.drop_column('decided_by_id')
        batch_op.drop_column('decided_at')
        batch_op.drop_column('appeal_note')
        batch_op.drop_column('appealed_at')
        batch_op.drop_column('grade')
