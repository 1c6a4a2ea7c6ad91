"""dataset extent: a box (EPSG:4326) per dataset holding every feature of it, with a GiST index, so a
vector tile finds the datasets it meets by one indexed query instead of reading every dataset of its
layer (issue 17: the tile state at national scale)

The box is filled here from the layer tables and then grown by per-layer statement triggers when
features are inserted or updated (derived objects, ``gisplan/db/sql/dataset_extent.sql``); deleting or
moving features away never shrinks it, so it may cover more than the features but never less.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29 07:00:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from geoalchemy2 import Geometry

revision: str = '0014'
down_revision: Union[str, None] = '0013'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

COMMENT = ("a box (EPSG:4326) holding every feature of the dataset: grown by triggers when features are "
           "written, never shrunk by them (vector tiles find their datasets by it)")
# the layers at this revision (layer name = table name) and the geometry they draw: the layer's own,
# else its extra geometries (gisplan.publish.sources.LayerSource.geometry_sql)
LAYER_TABLES = (
    'air_sensors', 'alert_sirens', 'cctv_cameras', 'cnap_points', 'health_facilities', 'hromady',
    'investment_objects', 'it_hubs', 'mobile_coverage', 'planning_documents', 'schools', 'settlements',
    'shelters', 'social_objects', 'starosta_districts', 'tourist_objects', 'tourist_routes', 'wifi_zones',
)
GEOMETRY = {'settlements': 'coalesce(t.geom, t.point)'}


def upgrade() -> None:
    op.add_column('dataset', sa.Column(
        'extent', Geometry(geometry_type='GEOMETRY', srid=4326, spatial_index=False,
                           from_text='ST_GeomFromEWKT', name='geometry'),
        nullable=True, comment=COMMENT))
    for table in LAYER_TABLES:
        geometry = GEOMETRY.get(table, 't.geom')
        op.execute(f"""
            UPDATE dataset d SET extent = e.box
            FROM (SELECT t.hromada, ST_SetSRID(ST_Extent({geometry})::geometry, 4326) AS box
                  FROM public."{table}" t GROUP BY t.hromada) e
            WHERE d.layer = '{table}' AND d.hromada = e.hromada""")
    op.create_index('ix_dataset_extent', 'dataset', ['extent'], unique=False, postgresql_using='gist')


def downgrade() -> None:
    for table in LAYER_TABLES:  # the triggers that grow the box (derived objects) go first
        op.execute(f'DROP TRIGGER IF EXISTS gisplan_extent_insert ON public."{table}"')
        op.execute(f'DROP TRIGGER IF EXISTS gisplan_extent_update ON public."{table}"')
        op.execute(f'DROP FUNCTION IF EXISTS "{table}_grow_extent"()')
    op.drop_index('ix_dataset_extent', table_name='dataset', postgresql_using='gist')
    op.drop_column('dataset', 'extent')
