"""patrol days keep the length of the run of days that ends on them

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 20:40:00

"""
from datetime import timedelta

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

days = sa.table(
    'patrol_days',
    sa.column('user_id', sa.Integer()),
    sa.column('day', sa.Date()),
    sa.column('streak', sa.Integer()),
)


def upgrade():
    op.add_column(
        'patrol_days', sa.Column('streak', sa.Integer(), server_default=sa.text('1'), nullable=False)
    )
    conn = op.get_bind()
    rows = conn.execute(sa.select(days.c.user_id, days.c.day).order_by(days.c.user_id, days.c.day))
    previous, streak, changes = None, 0, []
    for user_id, day in rows:
        consecutive = previous is not None and previous == (user_id, day - timedelta(days=1))
        streak = streak + 1 if consecutive else 1
        if streak > 1:
            changes.append({'u': user_id, 'd': day, 's': streak})
        previous = (user_id, day)
    if changes:
        conn.execute(
            days.update()
            .where(days.c.user_id == sa.bindparam('u'), days.c.day == sa.bindparam('d'))
            .values(streak=sa.bindparam('s')),
            changes,
        )


def downgrade():
    with op.batch_alter_table('patrol_days') as batch:
        batch.drop_column('streak')
