"""Loaded by pytest (``-p lini.core.testing_env``) before Django reads its settings.

Tests run with production settings apart from what is set here: a throwaway secret key and a
private LINI_HOME. Test-only tweaks that need Django live in ``src/lini/conftest.py``.
"""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("LINI_SECRET_KEY", "tests-only-" + "x" * 40)
os.environ.setdefault("LINI_HOME", tempfile.mkdtemp(prefix="lini-test-home-"))
(Path(os.environ["LINI_HOME"]) / "static").mkdir(parents=True, exist_ok=True)
os.environ.setdefault("LINI_HTTPS", "0")
