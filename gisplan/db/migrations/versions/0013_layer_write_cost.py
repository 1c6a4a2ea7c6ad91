"""layer tables cheaper to write (issue 4, import benchmark): the КАТОТТГ format checks without a
regular expression, no separate index on hromada (the (hromada, code) index serves it), and no
geography index on shelters (every metric query on shelters is bounded by one громада: nearest
shelters, shelter reach and its gap and cover; the (hromada, code) index finds those rows)

Both checks accept exactly what ``~ '^UA[0-9]{17}$'`` accepted (see
``gisplan.db.layer_tables.katottg_check``); they are added NOT VALID and then validated, so the
rows already stored are checked again without holding an exclusive lock for the scan.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 04:30:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0013'
down_revision: Union[str, None] = '0012'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

LAYER_TABLES = (
    'air_sensors', 'alert_sirens', 'cctv_cameras', 'cnap_points', 'health_facilities', 'hromady',
    'investment_objects', 'it_hubs', 'mobile_coverage', 'planning_documents', 'schools', 'settlements',
    'shelters', 'social_objects', 'starosta_districts', 'tourist_objects', 'tourist_routes', 'wifi_zones',
)
CHEAP = ("octet_length({c}) = 19 AND left({c}, 2) = 'UA' "
         "AND ltrim(substr({c}, 3), '0123456789') = ''")
REGEX = "{c} ~ '^UA[0-9]{{17}}$'"


def _checks(table: str, expression: str) -> None:
    for column in ('katottg', 'hromada'):
        name = f'ck_{table}_{column}_format'
        op.execute(f'ALTER TABLE public.{table} DROP CONSTRAINT {name}, '
                   f'ADD CONSTRAINT {name} CHECK ({expression.format(c=column)}) NOT VALID')
        op.execute(f'ALTER TABLE public.{table} VALIDATE CONSTRAINT {name}')


def upgrade() -> None:
    for table in LAYER_TABLES:
        _checks(table, CHEAP)
        op.drop_index(f'ix_{table}_hromada', table_name=table)
    op.drop_index('ix_shelters_geog', table_name='shelters', postgresql_using='gist')


def downgrade() -> None:
    op.create_index('ix_shelters_geog', 'shelters', [sa.literal_column('geography(geom)')], unique=False,
                    postgresql_using='gist')
    for table in LAYER_TABLES:
        op.create_index(f'ix_{table}_hromada', table, ['hromada'], unique=False)
        _checks(table, REGEX)
