"""report triage: planners set a status and a note on residents' shelter reports (issue 13)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 03:30:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0010'
down_revision: Union[str, None] = '0009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column('shelter_report', sa.Column('status', sa.Text(), server_default=sa.text("'new'"), nullable=False,
                                              comment='triage: new, in_progress, resolved, rejected'))
    op.add_column('shelter_report', sa.Column('note', sa.Text(), nullable=True,
                                              comment="the planner's note on what was done"))
    op.add_column('shelter_report', sa.Column('handled_by', sa.Text(), nullable=True,
                                              comment='user name of the planner who set the status'))
    op.add_column('shelter_report', sa.Column('handled_at', sa.DateTime(timezone=True), nullable=True,
                                              comment='when the status was last set'))
    op.create_check_constraint(op.f('ck_shelter_report_status'), 'shelter_report',
                               "status IN ('new', 'in_progress', 'resolved', 'rejected')")
    op.create_check_constraint(op.f('ck_shelter_report_note_length'), 'shelter_report',
                               'char_length(note) <= 1000')


def downgrade() -> None:
    op.drop_constraint(op.f('ck_shelter_report_note_length'), 'shelter_report', type_='check')
    op.drop_constraint(op.f('ck_shelter_report_status'), 'shelter_report', type_='check')
    op.drop_column('shelter_report', 'handled_at')
    op.drop_column('shelter_report', 'handled_by')
    op.drop_column('shelter_report', 'note')
    op.drop_column('shelter_report', 'status')
