"""Settings from the environment, the `lini` command, and the deploy check."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from lini.cli import _normalise


def run_lini(
    args: list[str], env: dict[str, str], tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LINI_")}
    clean.update({"LINI_HOME": str(tmp_path), **env})
    return subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [sys.executable, "-m", "lini.cli", *args],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_dashed_commands_map_to_django_commands() -> None:
    assert _normalise(["lini", "load-regions", "--province", "36"]) == [
        "lini",
        "load_regions",
        "--province",
        "36",
    ]
    assert _normalise(["lini", "--help"]) == ["lini", "--help"]


def test_production_settings_pass_the_deploy_check(tmp_path: Path) -> None:
    result = run_lini(
        ["check", "--deploy", "--fail-level", "WARNING"],
        {"LINI_SECRET_KEY": secrets.token_urlsafe(50), "LINI_ALLOWED_HOSTS": "lini.example.org"},
        tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_missing_secret_key_is_a_clear_error_without_debug(tmp_path: Path) -> None:
    result = run_lini(["check"], {}, tmp_path)
    assert result.returncode == 2
    assert "LINI_SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_secret_key_can_come_from_a_file(tmp_path: Path) -> None:
    key = tmp_path / "key"
    key.write_text(secrets.token_urlsafe(50), encoding="utf-8")
    result = run_lini(["check"], {"LINI_SECRET_KEY_FILE": str(key)}, tmp_path)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("LINI_DEBUG", "maybe", "LINI_DEBUG='maybe' is not a boolean"),
        ("LINI_SESSION_AGE", "soon", "LINI_SESSION_AGE='soon' is not a whole number"),
    ],
)
def test_bad_values_fail_loudly(tmp_path: Path, name: str, value: str, message: str) -> None:
    result = run_lini(["check"], {"LINI_SECRET_KEY": "k" * 50, name: value}, tmp_path)
    assert result.returncode == 2
    assert message in result.stderr


def test_env_example_documents_every_variable_the_settings_read() -> None:
    root = Path(__file__).resolve().parents[4]
    documented = (root / ".env.example").read_text(encoding="utf-8")
    settings_source = (Path(__file__).resolve().parents[2] / "settings.py").read_text(
        encoding="utf-8"
    )
    import re

    used = set(re.findall(r'"(LINI_[A-Z_]+)"', settings_source))
    assert used, "settings read no LINI_ variable?"
    missing = sorted(name for name in used if name not in documented)
    assert not missing, f"not in .env.example: {missing}"


def test_help_accepts_dashed_command_names() -> None:
    assert _normalise(["lini", "help", "load-regions"]) == ["lini", "help", "load_regions"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"LINI_DATABASE_URL": "mysqlx://nowhere"}, "LINI_DATABASE_URL is not a database URL"),
        ({"LINI_LOG_LEVEL": "LOUD"}, "LINI_LOG_LEVEL='LOUD' is not one of"),
    ],
)
def test_bad_database_url_and_log_level_are_configuration_errors(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    result = run_lini(["check"], {"LINI_SECRET_KEY": "k" * 50, **env}, tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_empty_values_mean_the_default_as_in_env_example(tmp_path: Path) -> None:
    result = run_lini(
        ["check"],
        {
            "LINI_SECRET_KEY": "k" * 50,
            "LINI_DATABASE_URL": "",
            "LINI_LOG_LEVEL": "",
            "LINI_DEBUG": "",
        },
        tmp_path,
    )
    assert result.returncode == 0, result.stderr


def test_every_kind_of_variable_can_come_from_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lini.conf import env_bool, env_int, env_list

    for name, value in (("X_BOOL", "yes"), ("X_INT", "42"), ("X_LIST", "a.example, b.example")):
        path = tmp_path / name
        path.write_text(value + "\n", encoding="utf-8")
        monkeypatch.setenv(f"{name}_FILE", str(path))
    assert env_bool("X_BOOL", default=False) is True
    assert env_int("X_INT", default=0) == 42
    assert env_list("X_LIST", default=[]) == ["a.example", "b.example"]


def test_demo_environment_keeps_one_private_key_and_opens_up_for_lan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lini.core.demo_env import prepare_demo_environment

    for name in ("LINI_SECRET_KEY", "LINI_SECRET_KEY_FILE", "LINI_ALLOWED_HOSTS", "LINI_HTTPS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LINI_HOME", str(tmp_path))
    prepare_demo_environment(["--no-serve"])
    key_file = tmp_path / "secret_key"
    first = key_file.read_text(encoding="utf-8")
    assert len(first) >= 50
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert os.environ["LINI_SECRET_KEY_FILE"] == str(key_file)
    assert os.environ["LINI_HTTPS"] == "0"
    assert "LINI_ALLOWED_HOSTS" not in os.environ  # loopback only: the defaults suffice
    monkeypatch.delenv("LINI_SECRET_KEY_FILE")
    prepare_demo_environment(["--host", "0.0.0.0"])  # noqa: S104 - what a LAN demo passes
    assert key_file.read_text(encoding="utf-8") == first  # reused, so logins survive a restart
    assert os.environ["LINI_ALLOWED_HOSTS"] == "*"
