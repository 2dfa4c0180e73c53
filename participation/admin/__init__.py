"""Site management by the team: people's roles, and setting up processes and their rounds."""
from flask import Blueprint

bp = Blueprint("admin", __name__)

from . import views  # noqa: E402,F401
