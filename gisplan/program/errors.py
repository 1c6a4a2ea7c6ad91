"""Errors of the program module (one line each, see :class:`gisplan.errors.GisplanError`)."""

from ..errors import GisplanError


class ProgramError(GisplanError):
    """A program document or edit that cannot be accepted."""


class ProgramNotFound(ProgramError):
    pass


class Forbidden(ProgramError):
    """The user may not do this to this program."""
