"""public: residents' problem reports about shelters (gisplan.residents.problem_reports)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 08:00:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision: str = '0005'
down_revision: Union[str, None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('shelter_report',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('hromada', sa.Text(), nullable=False, comment='КАТОТТГ code of the громада'),
    sa.Column('shelter_id', postgresql.UUID(as_uuid=True), nullable=False, comment='id of the shelters feature'),
    sa.Column('problem', sa.Text(), nullable=False, comment='locked, full, wrong_place, other'),
    sa.Column('comment', sa.Text(), nullable=True, comment='free text of the resident, no personal data asked'),
    sa.Column('client_key', sa.Text(), nullable=False, comment='sha256 of client address and day: rate limit'),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("hromada ~ '^UA[0-9]{17}$'", name=op.f('ck_shelter_report_hromada_format')),
    sa.CheckConstraint("problem IN ('locked', 'full', 'wrong_place', 'other')", name=op.f('ck_shelter_report_problem')),
    sa.CheckConstraint('char_length(comment) <= 1000', name=op.f('ck_shelter_report_comment_length')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shelter_report')),
    comment="Residents' reports about public shelters (issue 12)"
    )
    op.create_index('ix_shelter_report_client_created', 'shelter_report', ['client_key', 'created_at'], unique=False)
    op.create_index('ix_shelter_report_hromada_created', 'shelter_report', ['hromada', 'created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_shelter_report_hromada_created', table_name='shelter_report')
    op.drop_index('ix_shelter_report_client_created', table_name='shelter_report')
    op.drop_table('shelter_report')
