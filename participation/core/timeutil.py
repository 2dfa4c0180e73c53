"""Time helpers: the database stores naive UTC; people see Europe/Amsterdam."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    """Now in UTC without tzinfo, the form every DateTime column stores."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


AMSTERDAM = ZoneInfo("Europe/Amsterdam")


class NonexistentLocalTime(ValueError):
    """A wall-clock time skipped when the clocks go forward (02:30 on the last Sunday of March)."""


def amsterdam_to_utc(local: datetime) -> datetime:
    """A naive wall-clock time in Europe/Amsterdam as naive UTC, for storage.

    In the autumn hour that happens twice, the first (summer time) one is meant; a time that
    does not exist in the spring is refused rather than silently moved.
    """
    aware = local.replace(tzinfo=AMSTERDAM, fold=0)
    utc = aware.astimezone(timezone.utc)
    if utc.astimezone(AMSTERDAM).replace(tzinfo=None) != local.replace(fold=0):
        raise NonexistentLocalTime(local.isoformat())
    return utc.replace(tzinfo=None)


def utc_to_amsterdam(value: datetime) -> datetime:
    """A naive UTC time from the database as naive wall-clock time in Europe/Amsterdam."""
    return value.replace(tzinfo=timezone.utc).astimezone(AMSTERDAM).replace(tzinfo=None)
