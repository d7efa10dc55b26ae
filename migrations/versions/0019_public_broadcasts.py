"""broadcasts marked public: also shown, while open, on the area's online police room page

Revision ID: 0019_public_broadcasts
Revises: 0018_police_room_hotspots
Create Date: 2026-12-05 03:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019_public_broadcasts'
down_revision = '0018_police_room_hotspots'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('public', sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.drop_column('public')
