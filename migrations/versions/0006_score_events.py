"""score events: earnings queued for the leaderboard buckets

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 16:40:00

"""
from alembic import op
import sqlalchemy as sa

import app.types


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('score_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('delta', sa.Integer(), nullable=False),
    sa.Column('earned_at', app.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_score_events_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_score_events'))
    )


def downgrade():
    op.drop_table('score_events')
