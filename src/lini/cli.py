"""The ``lini`` console command: Django's manage.py with Lini's settings preset.

Commands may be typed with dashes (``lini load-regions``); they map to Django's command modules,
which use underscores (``load_regions``).
"""

from __future__ import annotations

import os
import sys


def _normalise(argv: list[str]) -> list[str]:
    """``lini load-regions`` -> ``load_regions`` (and ``lini help load-regions``)."""
    argv = list(argv)
    position = 2 if len(argv) > 2 and argv[1] == "help" else 1
    if len(argv) > position and not argv[position].startswith("-"):
        argv[position] = argv[position].replace("-", "_")
    return argv


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lini.settings")
    argv = _normalise(list(sys.argv if argv is None else argv))
    if len(argv) > 1 and argv[1] == "demo":
        # The demo must be able to start on a bare machine: it creates and keeps its own secret
        # key and serves plain HTTP on the loopback address.
        from lini.core.demo_env import prepare_demo_environment

        prepare_demo_environment(argv[2:])

    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(argv)
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"lini: configuration error: {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
