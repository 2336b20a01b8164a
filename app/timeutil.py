"""Time helpers. All stored times are UTC; SQLite hands them back naive, so `aware` re-attaches UTC."""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def aware(dt: datetime | None) -> datetime | None:
    if dt is None or dt.tzinfo is not None:
        return dt
    return dt.replace(tzinfo=timezone.utc)


def today_china() -> date:
    """Legal dates (deadlines, certificate validity) are dates in China Standard Time."""
    return datetime.now(CHINA).date()


def local(dt: datetime | None) -> datetime | None:
    return aware(dt).astimezone(CHINA) if dt else None
