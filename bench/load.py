"""Load test: 50 people browsing Lini behind gunicorn, on the Banten demo (issue 7).

    ./dev.sh bench load --home DIR                 # the SQLite database in DIR (lini demo's)
    ./dev.sh bench load --database-url postgres://postgres:postgres@127.0.0.1:5432/lini_load
    ./dev.sh bench load                            # a fresh small demo (scale 0.05) in a temp dir

Prepare the full data first with ``lini demo --full-population --no-serve`` (LINI_HOME=DIR, or
LINI_DATABASE_URL=... and ``--force``). In one run:

1. the plan: the demo accounts in a fixed mix of roles (province and regency officers, a district
   officer, counsellors, a cadre; ``MIX``), and for each the regions of its dashboards, the
   districts of its monthly reports, villages of its family lists and words to search for, read
   from the database;
2. gunicorn serving ``lini.wsgi:application`` on a free port of 127.0.0.1 (production settings:
   LINI_DEBUG off, plain HTTP on the loopback, ``LINI_TODAY`` as the demo's), waited for until it
   answers;
3. Locust, headless, on ``bench/locustfile.py``: ``--users`` users log in and browse with 1-3 s
   of thought between pages; ``--warmup`` seconds after the last one started, every request of
   the next ``--duration`` seconds is kept;
4. requests/s, p50/p95/p99 per kind of page and overall, errors (any answer but 2xx/3xx, a page
   that sends back to the login, a refused login) with examples, and the CPU used in the window.

The server is stopped on every exit (its whole process group). ``--save FILE`` keeps the figures
as JSON, ``--baseline FILE`` prints them beside an earlier run. Loopback only: the server binds
to ``--bind``, which must be a loopback address. Needs the ``server`` and ``bench`` extras
(``pip install -e '.[server,bench]'``: gunicorn and Locust).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import ipaddress
import json
import math
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
PERIOD, PERIODS, YEAR = "2019-10", [f"2019-{m:02d}" for m in range(1, 11)], 2019
GOAL_P95_MS = 300.0

# The demo accounts behind 50 users: who is at a desk at the same time (round robin, so any
# number of users keeps the proportions). Usernames from lini.demo.services.DEMO_USERS.
MIX = {
    "provinsi.banten": 6,
    "kab.serang": 6,
    "kab.tangerang": 6,
    "kec.ciruas": 6,
    "pkb.ciruas": 8,
    "pkb.pasarkemis": 8,
    "kader.singamerta": 10,
}


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--home", help="LINI_HOME: the folder of the SQLite demo database (lini demo's)"
    )
    parser.add_argument(
        "--database-url", help="a PostgreSQL URL holding the demo (instead of the SQLite file)"
    )
    parser.add_argument("--users", type=int, default=50, help="simultaneous users (default 50)")
    parser.add_argument("--duration", type=float, default=120, help="seconds measured (120)")
    parser.add_argument("--warmup", type=float, default=30, help="seconds before measuring (30)")
    parser.add_argument("--spawn-rate", type=float, default=5, help="users started per second (5)")
    parser.add_argument("--workers", type=int, default=2 * cores() + 1,
                        help="gunicorn worker processes (default 2 x cores + 1)")  # fmt: skip
    parser.add_argument("--threads", type=int, default=2, help="threads per worker (default 2)")
    parser.add_argument("--bind", default="127.0.0.1", help="loopback address to serve on")
    parser.add_argument("--seed", type=int, default=2019, help="seed of the plan's samples")
    parser.add_argument(
        "--analyze",
        action="store_true",
        help="run ANALYZE on the database first (the query planner's statistics; lini demo "
        "leaves a SQLite database without them; this writes them into the database)",
    )
    parser.add_argument("--save", help="write the figures to this JSON file")
    parser.add_argument("--baseline", help="print the figures beside this earlier --save file")
    args = parser.parse_args()
    try:
        loopback_check(args.bind, what="--bind")
        database_host = urllib.parse.urlsplit(args.database_url or "").hostname
        if database_host:  # no host: a Unix socket of this machine
            loopback_check(database_host, what="--database-url's host")
    except ValueError as exc:
        parser.error(str(exc))
    missing = [name for name in ("gunicorn", "locust") if importlib.util.find_spec(name) is None]
    if missing:
        print(
            f"load: {' and '.join(missing)} not installed "
            "(pip install -e '.[server,bench]'); skipped"
        )
        return 0
    baseline = (
        json.loads(Path(args.baseline).read_text(encoding="utf-8")) if args.baseline else None
    )

    run_dir = Path(tempfile.mkdtemp(prefix="lini-load-"))
    home = Path(args.home).resolve() if args.home else run_dir / "home"
    env = server_environment(home=home, database_url=args.database_url)
    os.environ.update(env)
    for name in env:  # NAME_FILE would win over NAME (lini.conf)
        os.environ.pop(f"{name}_FILE", None)
    if not args.home and not args.database_url:
        print(f"no --home or --database-url: a small demo (scale 0.05) in {home}")
        demo = [sys.executable, "-m", "lini.cli", "demo", "--no-serve"]
        subprocess.run(demo, env=os.environ, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
    facts, plan = build_plan(seed=args.seed, analyze=args.analyze)
    plan["slots"] = slots(args.users)
    plan_file = run_dir / "plan.json"
    plan_file.write_text(json.dumps(plan), encoding="utf-8")

    load_before = os.getloadavg()
    print(
        f"Lini load: {args.users} users, {args.warmup:.0f} s warm-up, {args.duration:.0f} s "
        f"measured; {facts['vendor']} ({facts['members']:,} members, {facts['families']:,} "
        f"families, {facts['villages']:,} villages; planner statistics: "
        f"{'yes' if facts['analyzed'] else 'none'}); gunicorn gthread {args.workers} workers x "
        f"{args.threads} threads on {args.bind}; {cores()} cores, load average before "
        f"{load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}"
    )
    if not facts["analyzed"]:
        print(
            "note: the database has no planner statistics (ANALYZE never ran); lists of the "
            "register are then read by scanning it (see bench/README.md); --analyze makes them"
        )
    port = free_port(args.bind)
    host = f"[{args.bind}]" if ":" in args.bind else args.bind
    url = f"http://{host}:{port}"
    server_log = run_dir / "gunicorn.log"

    def stop(*_signal: object) -> None:  # SystemExit runs the `finally` below
        sys.exit(f"stopped by a signal; the server is stopped too (logs: {run_dir})")

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)
    server = start_server(args, port=port, log=server_log)
    try:
        wait_ready(url, server, log=server_log)
        results = run_locust(args, url=url, plan_file=plan_file, run_dir=run_dir, server=server)
    finally:
        stop_server(server)
    summary = summarise(results, args=args, facts=facts, load_before=load_before)
    summary["server_errors"] = server_errors(server_log)
    report(summary, baseline)
    if args.save:
        Path(args.save).write_text(json.dumps(summary, indent=1), encoding="utf-8")
        print(f"figures saved to {args.save}")
    print(f"logs and plan: {run_dir}")
    return 0


def loopback_check(address: str, *, what: str) -> None:
    """Refuse to serve or load anything but this machine's loopback interface."""
    try:
        infos = socket.getaddrinfo(address, None)
    except socket.gaierror as exc:
        raise ValueError(f"{what} {address}: not an address of this machine ({exc})") from exc
    for *_rest, sockaddr in infos:
        if not ipaddress.ip_address(sockaddr[0]).is_loopback:
            raise ValueError(f"{what} {address}: not a loopback address; this test stays local")


def server_environment(*, home: Path, database_url: str | None) -> dict[str, str]:
    """Production settings on the loopback: no debug, plain HTTP, the demo's date."""
    env = {
        "LINI_HOME": str(home),
        "LINI_DEBUG": "0",
        "LINI_SECRET_KEY": secrets.token_urlsafe(50),
        "LINI_HTTPS": "0",
        "LINI_ALLOWED_HOSTS": "127.0.0.1,localhost,[::1]",
        "LINI_TODAY": "2019-11-01",  # as `lini demo` sets it (core/demo_env.py)
        "LINI_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "lini.settings",
    }
    # An empty LINI_DATABASE_URL means the SQLite file in LINI_HOME (and hides one set outside).
    env["LINI_DATABASE_URL"] = database_url or ""
    (home / "static").mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
    return env


def slots(users: int) -> list[str]:
    """The account of each user in turn: each account's share spread evenly over the list."""
    places = sorted(((k + 0.5) / n, name) for name, n in MIX.items() for k in range(n))
    ordered = [name for _place, name in places]
    return [ordered[i % len(ordered)] for i in range(users)]


def build_plan(*, seed: int, analyze: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """What each demo account browses, read from the database: its regions and those below
    (dashboards, indicators, reports, ranking), districts (monthly reports), villages (family
    lists) and words from its villages' members' names (searches). With ``analyze``, the
    planner's statistics are made first."""
    import django

    django.setup()
    from django.db import connection, connections

    from lini.accounts import scope
    from lini.accounts.models import User
    from lini.demo.services import DEMO_PASSWORD
    from lini.regions.models import Region, RegionLevel
    from lini.register.models import Family, Member

    rng = random.Random(seed)
    plan: dict[str, Any] = {
        "password": DEMO_PASSWORD, "period": PERIOD, "periods": PERIODS, "year": YEAR,
        "accounts": {},
    }  # fmt: skip
    prepared = "accounts_user" in connection.introspection.table_names()
    if prepared and analyze:
        started = time.perf_counter()
        from lini.core.statistics import statistics_refresh

        statistics_refresh()  # what lini demo, imports and rebuilds now do themselves
        print(f"ANALYZE done in {time.perf_counter() - started:.1f} s")
    for username in MIX:
        user = prepared and User.objects.filter(username=username, is_active=True).first()
        if not user:
            sys.exit(
                f"no demo account {username} in {connection.settings_dict['NAME']}: prepare it "
                "with `lini demo --full-population --no-serve` (see the docstring of bench/load.py)"
            )
        own = list(Region.objects.filter(code__in=scope.user_scope(user).codes).order_by("code"))
        children = list(Region.objects.filter(parent__in=own).order_by("code"))
        villages_in = Region.objects.filter(level=RegionLevel.VILLAGE).filter(
            scope.user_scope(user).q()
        )
        villages = sorted(villages_in.values_list("code", flat=True))
        villages = sorted(rng.sample(villages, min(len(villages), 20)))
        # Monthly reports: the districts in scope, or the cadre's own village.
        districts = list(
            Region.objects.filter(level=RegionLevel.DISTRICT)
            .filter(scope.user_scope(user).q())
            .values_list("code", flat=True)
        )
        search: dict[str, list[str]] = {}
        for code in villages:
            families = Family.objects.filter(village__code=code).order_by("pk")[:20]
            names = list(
                Member.objects.filter(
                    family__in=list(families.values_list("pk", flat=True))
                ).values_list("name", flat=True)
            )
            words = sorted({w for n in names for w in n.split() if len(w) >= 4})
            search[code] = rng.sample(words, min(len(words), 5)) if words else []
        plan["accounts"][username] = {
            "role": user.role,
            "areas": [r.code for r in own]
            + [r.code for r in children if r.level <= RegionLevel.VILLAGE],
            "districts": sorted(rng.sample(districts, min(len(districts), 10)))
            or [r.code for r in own],
            "villages": villages,
            "search": search,
        }  # fmt: skip
    facts = {
        "vendor": connection.vendor,
        "analyzed": _has_statistics(connection),
        "families": Family.objects.count(),
        "members": Member.objects.count(),
        "villages": Region.objects.filter(level=RegionLevel.VILLAGE).count(),
    }
    connections.close_all()
    return facts, plan


def _has_statistics(connection: Any) -> bool:
    """Whether the query planner has statistics of the register (SQLite: sqlite_stat1, made by
    ANALYZE; PostgreSQL: made by ANALYZE or autovacuum)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_stat_user_tables WHERE relname IN "
                "('register_family', 'register_member') "
                "AND coalesce(last_analyze, last_autoanalyze) IS NOT NULL"
            )
            return cursor.fetchone()[0] == 2
        if connection.vendor != "sqlite":
            return False
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if not cursor.fetchone()[0]:
            return False
        cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'register_family'")
        return bool(cursor.fetchone()[0])


def free_port(address: str) -> int:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((address, 0))
        return int(probe.getsockname()[1])


def start_server(args: argparse.Namespace, *, port: int, log: Path) -> subprocess.Popen[bytes]:
    """gunicorn in its own process group (so that stopping it stops its workers too), told by
    the kernel to stop should this script die without its cleanup (SIGKILL)."""
    host = f"[{args.bind}]" if ":" in args.bind else args.bind
    command = [
        sys.executable, "-m", "gunicorn", "lini.wsgi:application",
        "--bind", f"{host}:{port}", "--worker-class", "gthread",
        "--workers", str(args.workers), "--threads", str(args.threads),
        "--timeout", "60", "--graceful-timeout", "5", "--no-control-socket",
        "--error-logfile", str(log), "--capture-output", "--log-level", "warning",
    ]  # fmt: skip
    return subprocess.Popen(  # noqa: S603 (our own command line)
        command, env=os.environ.copy(), start_new_session=True, preexec_fn=_stop_with_parent
    )


def _stop_with_parent() -> None:
    """In a child before it runs its program: SIGTERM when this script dies (Linux prctl)."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """Stop gunicorn and its workers: TERM to the group, KILL after 10 s."""
    if server.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


def wait_ready(url: str, server: subprocess.Popen[bytes], *, log: Path) -> None:
    """Until the login page answers 200 (60 s at most)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn stopped (exit {server.returncode}):\n{tail(log)}")
        try:
            with urllib.request.urlopen(f"{url}/akun/masuk/", timeout=5) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    sys.exit(f"gunicorn did not answer within 60 s:\n{tail(log)}")


def tail(path: Path, lines: int = 30) -> str:
    if not path.exists():
        return "(no log)"
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def run_locust(
    args: argparse.Namespace,
    *,
    url: str,
    plan_file: Path,
    run_dir: Path,
    server: subprocess.Popen[bytes],
) -> dict[str, Any]:
    results = run_dir / "results.json"
    ramp = args.users / args.spawn_rate
    limit = ramp + args.warmup + args.duration + 60  # the locustfile stops it itself before
    env = {
        **os.environ,
        "LOAD_PLAN": str(plan_file), "LOAD_RESULTS": str(results),
        "LOAD_WARMUP": str(args.warmup), "LOAD_DURATION": str(args.duration),
        "LOAD_SERVER_PID": str(server.pid), "LOAD_DATABASE": _database_name(),
    }  # fmt: skip
    command = [
        sys.executable, "-m", "locust", "-f", str(BENCH / "locustfile.py"), "--headless",
        "--host", url, "--users", str(args.users), "--spawn-rate", str(args.spawn_rate),
        "--run-time", f"{math.ceil(limit)}s", "--stop-timeout", "10", "--only-summary",
        "--loglevel", "WARNING", "--exit-code-on-error", "0",
    ]  # fmt: skip
    with (run_dir / "locust.log").open("wb") as out:
        done = subprocess.run(  # noqa: S603 (our own command line)
            command, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=limit + 60,
            check=False, preexec_fn=_stop_with_parent,
        )  # fmt: skip
    if done.returncode != 0 or not results.exists():
        sys.exit(f"Locust failed (exit {done.returncode}):\n{tail(run_dir / 'locust.log')}")
    return json.loads(results.read_text(encoding="utf-8"))


def _database_name() -> str:
    """The PostgreSQL database's name (its backends' CPU is counted), or "" on SQLite."""
    url = os.environ.get("LINI_DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return ""
    return url.rsplit("/", 1)[-1].split("?", 1)[0]


def percentile(times: list[float], share: float) -> float:
    """Nearest rank: the smallest time at or above ``share`` of the sorted times."""
    if not times:
        return math.nan
    ordered = sorted(times)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def figures(samples: list[list[Any]], seconds: float) -> dict[str, Any]:
    times = [s[1] for s in samples]
    return {
        "requests": len(samples),
        "rps": len(samples) / seconds if seconds else math.nan,
        "p50": percentile(times, 0.50),
        "p95": percentile(times, 0.95),
        "p99": percentile(times, 0.99),
        "max": max(times, default=math.nan),
        "errors": sum(1 for s in samples if s[2]),
    }


def summarise(
    results: dict[str, Any],
    *,
    args: argparse.Namespace,
    facts: dict[str, Any],
    load_before: tuple[float, float, float],
) -> dict[str, Any]:
    window = results["window"]
    seconds = window.get("end", 0) - window.get("start", 0)
    samples = results["samples"]
    kinds = {
        kind: figures([s for s in samples if s[0] == kind], seconds)
        for kind in sorted({s[0] for s in samples})
    }
    overall = figures(samples, seconds)
    logins = results["logins"]
    login_errors = [error for _ms, error in logins if error]
    examples: dict[str, str] = {}
    for kind, _ms, error in samples:
        if error and kind not in examples:
            examples[kind] = error
    for error in login_errors[:3]:
        examples.setdefault("login", error)
    errors = overall["errors"] + len(login_errors)
    met = errors == 0 and overall["p95"] <= GOAL_P95_MS
    return {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "config": {
            "users": args.users, "warmup": args.warmup, "duration": args.duration,
            "window": seconds, "workers": args.workers, "threads": args.threads,
            "cores": cores(), "load_before": load_before, "seed": args.seed, **facts,
        },
        "kinds": kinds,
        "overall": overall,
        "logins": {
            "count": len(logins), "errors": len(login_errors),
            "p50": percentile([ms for ms, _e in logins], 0.5),
            "max": max((ms for ms, _e in logins), default=math.nan),
        },
        "cpu": results.get("cpu", {}),
        "error_examples": examples,
        "redirects": results.get("redirects", []),
        "errors": errors,
        "met": met,
    }  # fmt: skip


def server_errors(log: Path) -> list[str]:
    """Lines of the server's log that report an error (tracebacks of 500s, worker timeouts)."""
    if not log.exists():
        return []
    text = log.read_text(encoding="utf-8", errors="replace").splitlines()
    return [line for line in text if "ERROR" in line or "CRITICAL" in line or "Traceback" in line]


def report(summary: dict[str, Any], baseline: dict[str, Any] | None) -> None:
    base_kinds = baseline["kinds"] if baseline else {}
    head = f"{'page kind':<24}{'requests':>9}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
    head += f"{'max ms':>9}{'errors':>8}"
    if baseline:
        head += f"{'base p95':>10}{'p95 x':>7}{'req/s x':>9}"
    print(head)
    rows = [*summary["kinds"].items(), ("overall", summary["overall"])]
    for kind, row in rows:
        line = (
            f"{kind:<24}{row['requests']:>9,}{row['rps']:>8.1f}{row['p50']:>9.0f}"
            f"{row['p95']:>9.0f}{row['p99']:>9.0f}{row['max']:>9.0f}{row['errors']:>8}"
        )
        old = baseline["overall"] if baseline and kind == "overall" else base_kinds.get(kind)
        if old:
            line += (
                f"{old['p95']:>10.0f}{row['p95'] / old['p95']:>7.2f}{row['rps'] / old['rps']:>9.2f}"
            )
        print(line)
    logins = summary["logins"]
    print(
        f"logins (warm-up included): {logins['count']}, {logins['errors']} refused, "
        f"p50 {logins['p50']:.0f} ms, max {logins['max']:.0f} ms"
    )
    cpu = summary["cpu"]
    if cpu:
        database = f", PostgreSQL {cpu['database']:.2f}" if cpu.get("database") else ""
        print(
            f"CPU in the window (cores busy of {summary['config']['cores']}): gunicorn "
            f"{cpu['server']:.2f}{database}, load client {cpu['client']:.2f}, whole machine "
            f"{cpu['machine']:.2f} (other work included)"
        )
    redirects = summary["redirects"]
    if redirects:
        print(f"redirects (counted as answers, not errors): {len(redirects)}, e.g. {redirects[0]}")
    for kind, example in summary["error_examples"].items():
        print(f"error, {kind}: {example}")
    if summary["server_errors"]:
        print(f"server log: {len(summary['server_errors'])} error lines, e.g.")
        for line in summary["server_errors"][:5]:
            print(f"    {line}")
    overall = summary["overall"]
    verdict = "met" if summary["met"] else "NOT met"
    print(
        f"goal (zero errors, p95 <= {GOAL_P95_MS:.0f} ms): {verdict} "
        f"({summary['errors']} errors, p95 {overall['p95']:.0f} ms)"
    )


if __name__ == "__main__":
    sys.exit(main())
