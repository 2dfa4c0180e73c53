"""Accounts: registration, confirmation, login, password reset and profile."""
from flask import Blueprint

bp = Blueprint("accounts", __name__)

from . import views  # noqa: E402,F401  (registers the routes on bp)
