"""reports: monitoring reports published on the громада's public page (gisplan.reports)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 23:58:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0008'
down_revision: Union[str, None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('published_report',
    sa.Column('id', sa.Integer(), sa.Identity(always=False), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('hromada', sa.Text(), nullable=False, comment='КАТОТТГ code of the громада'),
    sa.Column('kind', sa.Text(), nullable=False, comment='quarterly or annual'),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.Integer(), nullable=False, comment='1–4, or 0 for an annual report'),
    sa.Column('format', sa.Text(), nullable=False, comment='pdf, docx or xlsx'),
    sa.Column('filename', sa.Text(), nullable=False, comment='the public name: /{hromada}/reports/{filename}'),
    sa.Column('media_type', sa.Text(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('template', sa.Text(), nullable=False, comment='template name, version and SHA-256 prefix used'),
    sa.Column('published_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('published_by', sa.Text(), nullable=True),
    sa.CheckConstraint("format IN ('pdf', 'docx', 'xlsx')", name=op.f('ck_published_report_format')),
    sa.CheckConstraint("hromada ~ '^UA[0-9]{17}$'", name=op.f('ck_published_report_hromada_format')),
    sa.CheckConstraint("kind IN ('quarterly', 'annual')", name=op.f('ck_published_report_kind')),
    sa.CheckConstraint('quarter BETWEEN 0 AND 4', name=op.f('ck_published_report_quarter')),
    sa.ForeignKeyConstraint(['program_id'], ['program.id'], name=op.f('fk_published_report_program_id_program'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_published_report')),
    sa.UniqueConstraint('hromada', 'filename', name='uq_published_report_file'),
    comment="Звіти, оприлюднені на сторінці громади / Reports published on the громада's page (issue 15)"
    )
    op.create_index('ix_published_report_program', 'published_report', ['program_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_published_report_program', table_name='published_report')
    op.drop_table('published_report')
