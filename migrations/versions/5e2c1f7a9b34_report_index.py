"""custody events by office, action and time, for the period reports

Revision ID: 5e2c1f7a9b34
Revises: 92fa580d9ba0
Create Date: 2026-12-01 17:15:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5e2c1f7a9b34'
down_revision = '92fa580d9ba0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('custody_events', schema=None) as batch_op:
        batch_op.create_index('ix_custody_events_office_action_time', ['office_id', 'action', 'recorded_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('custody_events', schema=None) as batch_op:
        batch_op.drop_index('ix_custody_events_office_action_time')
