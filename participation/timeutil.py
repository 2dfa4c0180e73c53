"""Time helpers: the database stores naive UTC; people see Europe/Amsterdam."""
from datetime import datetime, timezone


def utcnow() -> datetime:
    """Now in UTC without tzinfo, the form every DateTime column stores."""
    return datetime.now(timezone.utc).replace(tzinfo=None)
