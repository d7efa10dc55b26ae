"""first login codes: one-time codes on the printed sheet for people imported in bulk

Revision ID: 0012_first_login_codes
Revises: 0011_held_checkins
Create Date: 2026-12-06 10:00:00

"""
from alembic import op
import sqlalchemy as sa

from app.types import UTCDateTime


# revision identifiers, used by Alembic.
revision = '0012_first_login_codes'
down_revision = '0011_held_checkins'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('first_login_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('expires_at', UTCDateTime(), nullable=False),
    sa.Column('used_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_first_login_codes_created_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_first_login_codes_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_first_login_codes')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_first_login_codes_code_hash'))
    )
    with op.batch_alter_table('first_login_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_first_login_codes_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('first_login_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_first_login_codes_user_id'))
    op.drop_table('first_login_codes')
