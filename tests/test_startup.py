"""What a web worker or an export process carries: the app starts without the analysis's
numerical libraries (scikit-learn, SciPy, NumPy, igraph: about 110 MB a process), which only
the analysis loads when it runs."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("sklearn", "scipy", "numpy", "igraph", "typst", "pikepdf")


@pytest.mark.once
def test_the_app_starts_without_the_heavy_libraries(tmp_path):
    code = (
        "import json, sys\n"
        "from participation import create_app\n"
        f"app = create_app({{'SQLALCHEMY_DATABASE_URI': 'sqlite:///{tmp_path}/db.sqlite', "
        "'SECRET_KEY': 'startup-test', 'TESTING': True})\n"
        "app.test_client().get('/')\n"  # a request too: what a page imports on first use
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, check=True)
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


@pytest.mark.once
def test_the_analysis_loads_them_when_it_runs():
    code = ("import sys\nfrom participation.analysis import grouping\n"
            "print('sklearn' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, check=True)
    assert result.stdout.strip() == "True"  # the check above can fail: it looks at the same list
