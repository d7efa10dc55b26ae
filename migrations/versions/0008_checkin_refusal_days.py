"""checkin refusal days: refusals counted per person and day, beyond those stored as rows

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 22:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('checkin_refusal_days',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('refused', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_checkin_refusal_days_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', 'day', name=op.f('pk_checkin_refusal_days'))
    )


def downgrade():
    op.drop_table('checkin_refusal_days')
