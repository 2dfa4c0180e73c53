"""Round-1 input (inbreng) on themes, with optional position papers."""
from flask import Blueprint

bp = Blueprint("contributions", __name__)

from . import views  # noqa: E402,F401
