"""PostgreSQL tells listeners when the plan changes

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 06:00:00

`/plan status` answers are kept between questions while the plan is unchanged
(store/plan_cache.py). On PostgreSQL every table an answer reads notifies the channel
`planbot_plan` when a statement changes it, so that a process keeping answers hears of every
change, whoever makes it (another planbot, a script, psql), as it commits. The notification says
the table's schema: one database may hold several planbots' tables, a schema each, on one
channel. Notifications of one transaction are sent once. SQLite needs nothing: its data version
tells the same.
"""

from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# The tables a status answer reads (store/plan_statements.py; tests/store/test_plan_cache.py
# checks that every table those statements read is here).
TABLES = (
    'plan',
    'section',
    'priority',
    'action',
    'actionlead',
    'leadrole',
    'rolemember',
    'progressupdate',
    'ragchange',
    'timescalechange',
    'ragproposal',
    'escalation',
    'measure',
    'measurevalue',
)


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute(
        """
        CREATE FUNCTION planbot_plan_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('planbot_plan', TG_TABLE_SCHEMA);
            RETURN NULL;
        END
        $$
        """
    )
    for table in TABLES:
        op.execute(
            f'CREATE TRIGGER planbot_plan_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE '
            f'ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION planbot_plan_changed()'
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    for table in TABLES:
        op.execute(f'DROP TRIGGER planbot_plan_changed ON "{table}"')
    op.execute('DROP FUNCTION planbot_plan_changed()')
