"""Invitations by e-mail: read along in round 2, or take part fully."""
from flask import Blueprint

bp = Blueprint("invitations", __name__)

from . import views  # noqa: E402,F401
