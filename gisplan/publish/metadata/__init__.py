"""ISO 19139 metadata records of published datasets (layer × громада) and of the services."""
