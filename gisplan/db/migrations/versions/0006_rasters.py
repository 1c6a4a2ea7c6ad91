"""rasters: the raster registry (gisplan.rasters)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 23:15:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision: str = '0006'
down_revision: Union[str, None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('raster_dataset',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('kind', sa.Text(), nullable=False, comment='population (residents per cell) or mobile_signal (dBm)'),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('hromada', sa.Text(), nullable=True, comment='КАТОТТГ code of the громада it was made for; NULL = any громада it covers'),
    sa.Column('path', sa.Text(), nullable=False, comment='the Cloud-Optimized GeoTIFF on disk'),
    sa.Column('crs', sa.Text(), nullable=False, comment='CRS of the raster (EPSG:… or WKT)'),
    sa.Column('extent', Geometry(geometry_type='POLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False, comment='bounds of the raster in EPSG:4326'),
    sa.Column('res_x', sa.Double(), nullable=False, comment='cell width in CRS units'),
    sa.Column('res_y', sa.Double(), nullable=False, comment='cell height in CRS units'),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('nodata', sa.Double(), nullable=True),
    sa.Column('unit', sa.Text(), nullable=False, comment='unit of the cell values'),
    sa.Column('acquired', sa.Date(), nullable=False, comment='the date the values describe'),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('is_estimate', sa.Boolean(), server_default=sa.text('false'), nullable=False, comment='true for a surface derived by gisplan (e.g. from settlement populations)'),
    sa.Column('method', postgresql.JSONB(astext_type=sa.Text()), nullable=True, comment='how an estimate was made {uk, en, parameters}'),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("hromada ~ '^UA[0-9]{17}$'", name=op.f('ck_raster_dataset_hromada_format')),
    sa.CheckConstraint("kind IN ('population', 'mobile_signal')", name=op.f('ck_raster_dataset_kind')),
    sa.CheckConstraint('res_x > 0 AND res_y > 0 AND width > 0 AND height > 0', name=op.f('ck_raster_dataset_shape')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_raster_dataset')),
    comment='Растрові набори / Registered rasters (Cloud-Optimized GeoTIFF)'
    )
    op.create_index('ix_raster_dataset_extent', 'raster_dataset', ['extent'], unique=False, postgresql_using='gist')
    op.create_index('ix_raster_dataset_kind', 'raster_dataset', ['kind', 'hromada'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_raster_dataset_kind', table_name='raster_dataset')
    op.drop_index('ix_raster_dataset_extent', table_name='raster_dataset')
    op.drop_table('raster_dataset')
