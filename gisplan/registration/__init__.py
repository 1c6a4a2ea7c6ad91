"""Registration with the national geoportal (НІГД): the громада's profile, each dataset's
registration status, the application package, and the open-data export."""
