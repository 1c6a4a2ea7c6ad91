"""What residents see (issue 12): the shelter map, the tourist map, object pages and QR links.

Everything here reads the ``pub`` views only: the published part of published datasets.
"""
