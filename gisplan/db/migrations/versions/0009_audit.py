"""audit: the audit log records sign-ins (ok or failed), the громада, HTTP status and client of changes
(gisplan.audit, issue 16); the executor role (reports on the projects it is assigned to, nothing else)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 02:10:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0009'
down_revision: Union[str, None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column('audit_log', sa.Column('ok', sa.Boolean(), server_default=sa.text('true'), nullable=False,
                                         comment='false: a failed sign-in'))
    op.add_column('audit_log', sa.Column('hromada', sa.Text(), nullable=True,
                                         comment='КАТОТТГ code concerned, when known'))
    op.add_column('audit_log', sa.Column('status', sa.Integer(), nullable=True,
                                         comment='HTTP status of the answer (changes made through the web app)'))
    op.add_column('audit_log', sa.Column('client', sa.Text(), nullable=True,
                                         comment='client address (sign-ins and changes by signed-in users)'))
    op.alter_column('audit_log', 'user_name', existing_type=sa.Text(), existing_nullable=True,
                    comment="who: the signed-in user, the name tried at a failed sign-in, or 'cli'")
    op.alter_column('audit_log', 'action', existing_type=sa.Text(), existing_nullable=False,
                    comment='sign-in, sign-out, publish …, or METHOD /route/{template}')
    op.alter_column('audit_log', 'target', existing_type=sa.Text(), existing_nullable=True,
                    comment='the object changed')
    op.create_index('ix_audit_log_at', 'audit_log', ['at'], unique=False)
    op.create_index('ix_audit_log_user_name_at', 'audit_log', ['user_name', 'at'], unique=False)
    op.drop_constraint(op.f('ck_users_role'), 'users', type_='check')
    op.create_check_constraint(op.f('ck_users_role'), 'users', "role IN ('admin', 'planner', 'viewer', 'executor')")


def downgrade() -> None:
    op.execute("UPDATE users SET active = false, role = 'viewer' WHERE role = 'executor'")
    op.drop_constraint(op.f('ck_users_role'), 'users', type_='check')
    op.create_check_constraint(op.f('ck_users_role'), 'users', "role IN ('admin', 'planner', 'viewer')")
    op.drop_index('ix_audit_log_user_name_at', table_name='audit_log')
    op.drop_index('ix_audit_log_at', table_name='audit_log')
    for col in ('target', 'action', 'user_name'):
        op.alter_column('audit_log', col, existing_type=sa.Text(), comment=None)
    for col in ('client', 'status', 'hromada', 'ok'):
        op.drop_column('audit_log', col)
