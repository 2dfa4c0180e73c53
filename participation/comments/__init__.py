"""Round-2 feedback: threaded comments on the draft's sections, and support for them."""
from flask import Blueprint

bp = Blueprint("comments", __name__)

from . import views  # noqa: E402,F401
