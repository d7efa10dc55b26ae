"""an index for the people logged in on one device lately, read by every check-in

Revision ID: 0021_login_device_index
Revises: 0020_last_positions
Create Date: 2026-12-05 17:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0021_login_device_index'
down_revision = '0020_last_positions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.create_index(
            'ix_login_sessions_device', ['address', 'user_agent', 'created_at', 'user_id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_login_sessions_device')
