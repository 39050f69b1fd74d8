"""`lini check --deploy` is clean with production settings, and the security settings follow
their environment variables. Settings are read when Django starts, so each case runs Lini in a
new process with its own environment."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

TIMEOUT = 120


def lini_env(home: Path, **extra: str) -> dict[str, str]:
    """The test process's environment without any LINI_ or DJANGO_ variable, plus production
    settings: no debug, a long random key, HTTPS, a real host name."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LINI_", "DJANGO_"))}
    env.update(
        LINI_HOME=str(home),
        LINI_DEBUG="0",
        LINI_SECRET_KEY=secrets.token_urlsafe(50),
        LINI_HTTPS="1",
        LINI_ALLOWED_HOSTS="lini.example.go.id",
    )
    env.update(extra)
    return env


def run_lini(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "lini.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    done = run_lini(lini_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_check_deploy_fails_when_the_settings_are_not_for_production(tmp_path: Path) -> None:
    """The same check, with HTTPS off, warns (so the clean result above means something)."""
    done = run_lini(
        lini_env(tmp_path, LINI_HTTPS="0"), "check", "--deploy", "--fail-level", "WARNING"
    )
    assert done.returncode != 0
    assert "security.W008" in done.stderr + done.stdout  # SECURE_SSL_REDIRECT


PRINT_SETTINGS = (
    "from django.conf import settings as s; "
    "print(s.AXES_FAILURE_LIMIT, int(s.AXES_COOLOFF_TIME.total_seconds()), "
    "s.LINI_SESSION_IDLE_MINUTES, s.LINI_REQUIRE_2FA, s.SESSION_COOKIE_AGE)"
)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "5 900 60 False 28800"),
        (
            {
                "LINI_LOGIN_FAILURES": "3",
                "LINI_LOCKOUT_MINUTES": "30",
                "LINI_SESSION_IDLE_MINUTES": "20",
                "LINI_REQUIRE_2FA": "1",
                "LINI_SESSION_AGE": "3600",
            },
            "3 1800 20 True 3600",
        ),
    ],
)
def test_security_settings_follow_the_environment(
    tmp_path: Path, env: dict[str, str], expected: str
) -> None:
    done = run_lini(lini_env(tmp_path, **env), "shell", "-c", PRINT_SETTINGS)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == expected


def test_a_bad_value_is_refused_with_its_name(tmp_path: Path) -> None:
    done = run_lini(lini_env(tmp_path, LINI_LOGIN_FAILURES="0"), "check")
    assert done.returncode == 2
    assert "LINI_LOGIN_FAILURES=0 must be at least 1" in done.stderr
