"""Environment for ``lini demo``: prepared before Django reads its settings."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def lini_home() -> Path:
    return Path(os.environ.get("LINI_HOME", "var")).resolve()


def prepare_demo_environment() -> None:
    """Keep a generated secret key in ``LINI_HOME`` and serve plain HTTP locally.

    Explicit environment variables always win; the key file is created once and reused, so
    sessions survive a restart of the demo.
    """
    home = lini_home()
    (home / "static").mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
    if not os.environ.get("LINI_SECRET_KEY") and not os.environ.get("LINI_SECRET_KEY_FILE"):
        key_file = home / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
            key_file.chmod(0o600)
        os.environ["LINI_SECRET_KEY_FILE"] = str(key_file)
    os.environ.setdefault("LINI_HTTPS", "0")
