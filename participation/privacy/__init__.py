"""Privacy (AVG/GDPR) rights: see and download your data, delete your account, consent to the
privacy statement, and the retention purge the municipality runs from cron."""
from flask import Blueprint

bp = Blueprint("privacy", __name__)

from . import views  # noqa: E402, F401  (registers the routes on bp)
