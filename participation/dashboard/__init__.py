"""The team's dashboard per process: who took part, where the input went, what is answered."""
from flask import Blueprint

bp = Blueprint("dashboard", __name__)

from . import views  # noqa: E402,F401
