"""shared worker state: the catalogue version (one row, moved by triggers on dataset and territory),
and the anonymous rate limit and the login throttle in UNLOGGED tables, so that every worker process
counts the same requests and failures (issue 17)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 04:40:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision: str = '0012'
down_revision: Union[str, None] = '0011'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'catalogue_version',
        sa.Column('id', sa.Boolean(), server_default=sa.text('true'), nullable=False),
        sa.Column('version', sa.BigInteger(), server_default=sa.text('0'), nullable=False,
                  comment='moves when what the services list changes: datasets published, withdrawn, added, '
                          'removed; the territory'),
        sa.CheckConstraint('id', name=op.f('ck_catalogue_version_one_row')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_version')),
    )
    op.execute("INSERT INTO catalogue_version (id, version) VALUES (true, 0)")
    # the triggers that move it are derived objects (gisplan/db/sql/catalogue_version.sql)
    op.create_table(
        'rate_limit_bucket',
        sa.Column('namespace', sa.Text(), nullable=False,
                  comment="'shared' for the app's limit; an instance's own otherwise"),
        sa.Column('key', sa.Text(), nullable=False, comment='client address'),
        sa.Column('tokens', sa.Double(), nullable=False),
        sa.Column('at', sa.Double(), nullable=False, comment='seconds (epoch) of the last request'),
        sa.Column('allowed', sa.Boolean(), nullable=False, comment='whether the last request was let through'),
        sa.Column('expires', sa.Double(), nullable=False, comment='when the bucket is full again: the row can go'),
        sa.PrimaryKeyConstraint('namespace', 'key', name=op.f('pk_rate_limit_bucket')),
        prefixes=['UNLOGGED'],
    )
    op.create_table(
        'login_failure',
        sa.Column('namespace', sa.Text(), nullable=False),
        sa.Column('key', sa.Text(), nullable=False, comment='user:<name> or addr:<address>'),
        sa.Column('times', postgresql.ARRAY(sa.Double()), nullable=False,
                  comment='seconds (epoch) of the failures within the window'),
        sa.Column('at', sa.Double(), nullable=False, comment='seconds (epoch) of the last failure'),
        sa.Column('max_failures', sa.Integer(), nullable=False),
        sa.Column('locked_until', sa.Double(), nullable=True),
        sa.Column('expires', sa.Double(), nullable=False, comment='when the row says nothing any more: it can go'),
        sa.PrimaryKeyConstraint('namespace', 'key', name=op.f('pk_login_failure')),
        prefixes=['UNLOGGED'],
    )
    # every anonymous request updates its bucket: room on the page keeps those updates HOT (no index
    # write, the old version pruned in place)
    op.execute("ALTER TABLE rate_limit_bucket SET (fillfactor = 50)")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS catalogue_version_rows ON dataset")
    op.execute("DROP TRIGGER IF EXISTS catalogue_version_publication ON dataset")
    op.execute("DROP TRIGGER IF EXISTS catalogue_version_truncate ON dataset")
    op.execute("DROP TRIGGER IF EXISTS catalogue_version_territory ON territory")
    op.execute("DROP FUNCTION IF EXISTS gisplan_bump_catalogue_version()")
    op.drop_table('login_failure')
    op.drop_table('rate_limit_bucket')
    op.drop_table('catalogue_version')
