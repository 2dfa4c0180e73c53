"""Processes, their two rounds and the themes of round 1."""
from flask import Blueprint

bp = Blueprint("processes", __name__)

from . import views  # noqa: E402,F401
