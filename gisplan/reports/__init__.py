"""Monitoring reports of informatization programs (issue 15): quarterly and annual, as XLSX, DOCX
and PDF, filled from the program, the executors' reports and the computed indicators.

The layouts are template files (``templates/``) the client can replace
(``GISPLAN_REPORT_TEMPLATES_DIR``); every report states the template and version it used.
"""

