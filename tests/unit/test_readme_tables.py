"""README.md's role tables are generated from argument_specs and must not drift from them."""

import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]


def test_readme_role_tables_match_argument_specs():
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "role_tables.py"), "--check"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
