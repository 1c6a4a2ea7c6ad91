"""The audit log (issue 16): who signed in (or failed to), and who changed what, when.

``record`` writes one entry; ``entries`` reads them back with filters. The web app records every
successful change made through it centrally (api/audit_middleware.py) and sign-ins in the auth
routes; the CLI records its account commands.
"""

from .log import AuditEntry, entries, record  # noqa: F401
