"""The team's decision on the findings of one item."""
from __future__ import annotations

from ..core.conflicts import VersionField
from ..core.forms import PageForm


class DecisionForm(PageForm):
    """The ticked findings (by index, read from the request: their number varies) and the
    version of the findings the page showed."""
    version = VersionField()
