"""Marshmallow fields shared by every feature's schemas."""
from marshmallow import fields

from app.timeutil import aware


class UTCDateTime(fields.DateTime):
    """An instant, always written with its offset (RFC 3339). Times are stored in UTC, but SQLite hands them
    back naive: without this, the API would answer "2025-09-17T01:30:00", which is not a date-time."""

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(aware(value), attr, obj, **kwargs)
