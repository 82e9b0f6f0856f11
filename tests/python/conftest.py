"""pytest setup: the package comes from build/python (scripts/test.sh sets PYTHONPATH;
this makes a bare `pytest tests/python` work too). Scripts run in subprocesses get the
directory the package was imported from."""
import os
import sys

# A rewrite that throws is a Theon bug: fail the test rather than skip the rewrite.
# Set before the first import of theon, which reads THEON_FLAGS once.
os.environ["THEON_FLAGS"] = ",".join(
    f for f in [os.environ.get("THEON_FLAGS", ""), "on_opt_error=raise"] if f)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COMPAT = os.path.join(ROOT, "python", "compat")

try:
    import theon
except ImportError:
    sys.path.insert(0, os.path.join(ROOT, "build", "python"))
    import theon

BUILD_PYTHON = os.path.dirname(os.path.dirname(os.path.abspath(theon.__file__)))
