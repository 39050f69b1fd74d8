"""Environment for ``lini demo``: prepared before Django reads its settings."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

_LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def lini_home() -> Path:
    return Path(os.environ.get("LINI_HOME") or "var").resolve()


def _host_argument(argv: list[str]) -> str:
    for index, arg in enumerate(argv):
        if arg == "--host" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--host="):
            return arg.split("=", 1)[1]
    return "127.0.0.1"


def prepare_demo_environment(argv: list[str] | None = None) -> None:
    """Keep a generated secret key in ``LINI_HOME``, serve plain HTTP, and answer LAN clients
    when the demo is served beyond the loopback address (``--host 0.0.0.0``).

    Explicit environment variables always win; the key file is created once (readable by its
    owner only) and reused, so logins survive a restart of the demo.
    """
    home = lini_home()
    # The synthetic register is dated 31 October 2019, the eve of the 2019 baksos.
    os.environ.setdefault("LINI_TODAY", "2019-11-01")
    (home / "static").mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
    if not os.environ.get("LINI_SECRET_KEY") and not os.environ.get("LINI_SECRET_KEY_FILE"):
        key_file = home / "secret_key"
        if not key_file.exists():
            descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(secrets.token_urlsafe(50))
        os.environ["LINI_SECRET_KEY_FILE"] = str(key_file)
    os.environ.setdefault("LINI_HTTPS", "0")
    if _host_argument(argv or []) not in _LOOPBACK:
        os.environ.setdefault("LINI_ALLOWED_HOSTS", "*")
