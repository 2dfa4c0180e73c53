"""Entry point for the load test: the real app plus the bench-only baseline views.

    gunicorn --chdir bench wsgi_bench:app    (bench/pages.py starts it so)

Configuration comes from the environment as for wsgi.py (DATABASE_URL, SECRET_KEY, ...). The
baseline blueprint (bench/baseline.py) lives under /_baseline; production never loads it.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from baseline import bp  # noqa: E402

from participation import create_app  # noqa: E402


def bench_app(config: dict | None = None):
    app = create_app(config)
    app.register_blueprint(bp)
    return app


app = bench_app()
