"""program edit version: one counter per program bumped by every change to it or its parts, for
If-Match and 409 on stale edits (gisplan.program.edit_lock, issue 16)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 03:40:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0011'
down_revision: Union[str, None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column('program', sa.Column(
        'edit_version', sa.Integer(), server_default=sa.text('1'), nullable=False,
        comment='bumped by every change to the program or its parts: If-Match / 409 (edit_lock.py)'))


def downgrade() -> None:
    op.drop_column('program', 'edit_version')
