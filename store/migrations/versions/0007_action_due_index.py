"""the open actions by timescale read from an index

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 01:00:00

`/plan overdue` and `due` show the first open actions by timescale and count the rest
(store.reminders.open_actions). This index is in timescale order and holds every column the
count reads, so both read only the actions in the window, not the whole action table (about
18 ms against 0.2 ms for the first hundred overdue, and 5 ms against 2.6 ms for their count, at
50,000 actions on SQLite: bench/bench_status.py).
"""

from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_action_due', 'action', ['timescale', 'rag', 'closed_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_action_due', table_name='action')
