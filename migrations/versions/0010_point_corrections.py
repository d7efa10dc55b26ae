"""point corrections: an officer's request to move points, paid at once or after a second
officer's approval, kept as the audit record

Revision ID: 0010_point_corrections
Revises: 0009
Create Date: 2026-12-05 09:00:00

"""
from alembic import op
import sqlalchemy as sa

import app.types


# revision identifiers, used by Alembic.
revision = '0010_point_corrections'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('point_corrections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('delta', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('client_key', sa.String(length=64), nullable=False),
    sa.Column('created_at', app.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', app.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.String(length=500), nullable=False),
    sa.Column('ledger_entry_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('delta <> 0', name=op.f('ck_point_corrections_delta_nonzero')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_point_corrections_decided_by_id_users')),
    sa.ForeignKeyConstraint(['ledger_entry_id'], ['ledger_entries.id'], name=op.f('fk_point_corrections_ledger_entry_id_ledger_entries')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_point_corrections_requested_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_point_corrections_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_point_corrections')),
    sa.UniqueConstraint('requested_by_id', 'client_key', name='uq_point_corrections_client_key')
    )
    with op.batch_alter_table('point_corrections', schema=None) as batch_op:
        batch_op.create_index('ix_point_corrections_requester_created', ['requested_by_id', 'created_at'], unique=False)
        batch_op.create_index('ix_point_corrections_status_created', ['status', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('point_corrections', schema=None) as batch_op:
        batch_op.drop_index('ix_point_corrections_status_created')
        batch_op.drop_index('ix_point_corrections_requester_created')

    op.drop_table('point_corrections')
