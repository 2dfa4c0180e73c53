"""The draft (concept) of the policy document: versions, numbered sections, the reading view."""
from flask import Blueprint

bp = Blueprint("drafts", __name__)

from . import views  # noqa: E402,F401
