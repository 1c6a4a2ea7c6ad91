"""qr: printed plates and daily scan counts of tourist objects' QR short links (gisplan.qr)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 23:40:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision: str = '0007'
down_revision: Union[str, None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('qr_plate',
    sa.Column('feature_id', postgresql.UUID(as_uuid=True), nullable=False, comment='id of the tourist_objects feature'),
    sa.Column('hromada', sa.Text(), nullable=False, comment='КАТОТТГ code of the громада'),
    sa.Column('short', sa.Text(), nullable=False, comment="the short code printed (the feature's qr_code then)"),
    sa.Column('printed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('printed_by', sa.Text(), nullable=True),
    sa.CheckConstraint("hromada ~ '^UA[0-9]{17}$'", name=op.f('ck_qr_plate_hromada_format')),
    sa.PrimaryKeyConstraint('feature_id', name=op.f('pk_qr_plate')),
    comment='QR plates printed for tourist objects (issue 14)'
    )
    op.create_index('ix_qr_plate_hromada', 'qr_plate', ['hromada'], unique=False)
    op.create_table('qr_scan',
    sa.Column('short', sa.Text(), nullable=False, comment='the short code of /q/{short}'),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('count', sa.BigInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('short', 'day', name=op.f('pk_qr_scan')),
    comment='Openings of QR short links per day: aggregate counts, no personal data (issue 14)'
    )


def downgrade() -> None:
    op.drop_table('qr_scan')
    op.drop_index('ix_qr_plate_hromada', table_name='qr_plate')
    op.drop_table('qr_plate')
