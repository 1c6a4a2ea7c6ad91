"""Errors that reach a person: one line that says what is wrong and what to do."""


class GisplanError(Exception):
    """An error whose message is meant for the user, printed as one line by the CLI."""

    exit_code = 1

    def __str__(self) -> str:  # keep it on one line whatever the cause said
        return " ".join(str(self.args[0] if self.args else "").split())


class ConfigError(GisplanError):
    """A setting or a declarative file (``layers/*.yaml``) is wrong."""


class DatabaseError(GisplanError):
    """The database cannot be reached, started, or lacks PostGIS."""


class MissingDependency(GisplanError):
    """A program or package that gisplan needs is not installed."""
