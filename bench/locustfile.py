"""Locust users for ``bench/load.py``: demo accounts of several roles browsing Lini.

Not a benchmark by itself: ``bench/load.py`` starts the server, writes the plan (accounts, their
regions, villages and search words, read from the database) and runs Locust headless on this file:

    ./dev.sh bench load --home DIR

Each simulated user takes the next account of the plan's mix, logs in through the login form and
then browses the pages its role uses (weights in ``PAGES``), thinking 1-3 s between pages. Family
pages, monthly inputs and the campaign are reached through the links of the lists, as a person
would. The phases: spawning, ``LOAD_WARMUP`` seconds of warm-up, then ``LOAD_DURATION`` seconds
during which every request is kept (kind, time, error) and written to ``LOAD_RESULTS`` (JSON)
when the run stops. Login failures are counted throughout, warm-up included.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import random
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __name__ == "__main__":  # `./dev.sh bench` runs every script of bench/: this one is not one
    print("bench/locustfile.py is run by bench/load.py (./dev.sh bench load); nothing to do alone.")
    sys.exit(0)

import gevent
import psutil
from locust import FastHttpUser, events, task
from locust.env import Environment
from locust.runners import Runner

PLAN: dict[str, Any] = json.loads(Path(os.environ["LOAD_PLAN"]).read_text(encoding="utf-8"))
WARMUP = float(os.environ.get("LOAD_WARMUP", "30"))
DURATION = float(os.environ.get("LOAD_DURATION", "120"))
RESULTS = Path(os.environ["LOAD_RESULTS"])
LOGIN = "/akun/masuk/"

# How often each role opens each kind of page (relative weights).
PAGES: dict[str, dict[str, int]] = {
    "province_officer": {
        "home": 1, "dashboard": 6, "indicators": 4, "report": 3, "ranking": 3,
        "monthly list": 2, "monthly input": 1, "campaign report": 2, "family list": 1,
        "family": 1,
    },
    "regency_officer": {
        "home": 1, "dashboard": 5, "indicators": 3, "report": 3, "ranking": 2,
        "monthly list": 3, "monthly input": 2, "campaign report": 2, "family list": 2,
        "family search": 1, "family": 1,
    },
    "district_officer": {
        "home": 1, "dashboard": 3, "indicators": 2, "report": 3, "ranking": 1,
        "monthly list": 3, "monthly input": 3, "campaign report": 1, "family list": 3,
        "family list, next page": 1, "family search": 1, "family": 2,
    },
    "counsellor": {
        "home": 1, "dashboard": 2, "indicators": 1, "report": 2, "ranking": 1,
        "monthly list": 2, "monthly input": 2, "campaign report": 1, "family list": 4,
        "family list, next page": 2, "family search": 2, "family": 4,
    },
    "cadre": {
        "home": 1, "dashboard": 1, "report": 1, "monthly list": 1, "monthly input": 1,
        "family list": 4, "family list, next page": 3, "family search": 3, "family": 5,
    },
}  # fmt: skip

_slots = itertools.cycle(PLAN["slots"])
_samples: list[tuple[str, float, str]] = []  # (kind, ms, error or "") inside the window
_logins: list[tuple[float, str]] = []  # (ms, error or ""): every login, warm-up included
_redirects: list[str] = []  # pages of the window answered with a redirect (not an error)
_window: dict[str, float] = {}
_cpu: dict[str, float] = {}  # cores busy on average in the window

_FAMILY = re.compile(r'href="/keluarga/(\d+)/"')
_INPUT = re.compile(r'href="/laporan-bulanan/(\d+)/"')
_CAMPAIGN = re.compile(r'href="/baksos/(\d+)/"')
_PAGES = re.compile(r'<nav class="pagination".*?<span>([^<]*)</span>', re.DOTALL)
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _last_page(html: str) -> int:
    """The number of pages of a list ("Page 1 of 52" in its pagination; 1 without one)."""
    found = _PAGES.search(html)
    numbers = re.findall(r"\d+", found.group(1).replace(".", "").replace(",", "")) if found else []
    return int(numbers[-1]) if numbers else 1


def _period() -> str:
    """Mostly the month just ended, sometimes an earlier month of the year."""
    return PLAN["period"] if random.random() < 0.7 else random.choice(PLAN["periods"])


class LiniUser(FastHttpUser):
    """One person at a desk: a demo account of the plan's mix, browsing with 1-3 s of thought."""

    def wait_time(self) -> float:
        return random.uniform(1.0, 3.0)

    def on_start(self) -> None:
        self.username: str = next(_slots)
        self.account: dict[str, Any] = PLAN["accounts"][self.username]
        kinds = PAGES[self.account["role"]]
        self.kinds, self.weights = list(kinds), list(kinds.values())
        self.families: list[str] = []
        self.inputs: list[str] = []
        self.campaigns: list[str] | None = None
        self.logged_in = self._login()

    def _login(self) -> bool:
        started = time.perf_counter()
        error = ""
        with self.client.get(LOGIN, name="login form", catch_response=True) as page:
            token = _CSRF.search(page.text or "")
            if page.status_code != 200 or token is None:
                error = f"login form: HTTP {page.status_code}, no CSRF token"
                page.failure(error)
            else:
                page.success()
        if not error:
            with self.client.post(
                LOGIN,
                data={
                    "username": self.username,
                    "password": PLAN["password"],
                    "csrfmiddlewaretoken": token.group(1),  # type: ignore[union-attr]
                },
                headers={"Referer": self.host + LOGIN},
                name="login",
                allow_redirects=False,
                catch_response=True,
            ) as answer:
                location = (answer.headers or {}).get("location", "")
                if answer.status_code != 302 or LOGIN in location:
                    error = f"login of {self.username} refused: HTTP {answer.status_code}"
                    answer.failure(error)
                else:
                    answer.success()
        _logins.append(((time.perf_counter() - started) * 1000, error))
        return not error

    @task
    def browse(self) -> None:
        if not self.logged_in:
            self.logged_in = self._login()
            return
        kind = random.choices(self.kinds, self.weights)[0]
        PAGE_KINDS[kind](self)

    def get(self, kind: str, path: str) -> str:
        """GET ``path`` as ``kind``: an error unless 2xx or 3xx, or when sent to the login page."""
        with self.client.get(path, name=kind, allow_redirects=False, catch_response=True) as page:
            status = page.status_code
            location = (page.headers or {}).get("location", "") if page.headers else ""
            if status == 0:
                page.failure(f"no answer ({getattr(page, 'error', '')}) for {path}")
            elif not 200 <= status < 400:
                page.failure(f"HTTP {status} for {path}")
            elif LOGIN in location:
                page.failure(f"sent to the login page (session lost) for {path}")
                self.logged_in = False
            else:
                page.success()
                if location and "start" in _window and "end" not in _window:
                    _redirects.append(f"{kind}: {path} -> {location}")  # no page expects one
                return page.text or ""
        return ""

    # The pages, one method per kind.

    def home(self) -> None:
        self.get("home", "/")

    def _area(self) -> str:
        return random.choice(self.account["areas"])

    def dashboard(self) -> None:
        self.get("dashboard", f"/indikator/dasbor/?region={self._area()}&period={_period()}")

    def indicators(self) -> None:
        self.get("indicators", f"/indikator/?region={self._area()}&period={_period()}")

    def report(self) -> None:
        self.get("report", f"/indikator/laporan/?region={self._area()}&period={_period()}")

    def ranking(self) -> None:
        self.get("ranking", f"/indikator/peringkat/?region={self._area()}&year={PLAN['year']}")

    def monthly_list(self) -> None:
        district = random.choice(self.account["districts"])
        html = self.get("monthly list", f"/laporan-bulanan/?region={district}&month={_period()}")
        self.inputs = _INPUT.findall(html) or self.inputs

    def monthly_input(self) -> None:
        if not self.inputs:
            self.monthly_list()
        if self.inputs:
            self.get("monthly input", f"/laporan-bulanan/{random.choice(self.inputs)}/")

    def campaign_report(self) -> None:
        if self.campaigns is None:
            self.campaigns = sorted(set(_CAMPAIGN.findall(self.get("campaign list", "/baksos/"))))
        if self.campaigns:
            self.get("campaign report", f"/baksos/{random.choice(self.campaigns)}/laporan/")

    def _village(self) -> str:
        return random.choice(self.account["villages"])

    def family_list(self, village: str | None = None, kind: str = "family list") -> str:
        village = village or self._village()
        html = self.get(kind, f"/keluarga/wilayah/{village}/")
        self.families = _FAMILY.findall(html) or self.families
        return html

    def family_list_next(self) -> None:
        village = self._village()
        html = self.family_list(village)
        if (pages := _last_page(html)) > 1:  # the list, then a later page of it
            page = random.randint(2, pages)
            html = self.get("family list, next page", f"/keluarga/wilayah/{village}/?page={page}")
            self.families = _FAMILY.findall(html) or self.families

    def family_search(self) -> None:
        village = self._village()
        words = self.account["search"].get(village) or ["a"]
        html = self.get("family search", f"/keluarga/wilayah/{village}/?q={random.choice(words)}")
        self.families = _FAMILY.findall(html) or self.families

    def family(self) -> None:
        if not self.families:
            self.family_list()
        if self.families:
            self.get("family", f"/keluarga/{random.choice(self.families)}/")


PAGE_KINDS: dict[str, Callable[[LiniUser], None]] = {
    "home": LiniUser.home,
    "dashboard": LiniUser.dashboard,
    "indicators": LiniUser.indicators,
    "report": LiniUser.report,
    "ranking": LiniUser.ranking,
    "monthly list": LiniUser.monthly_list,
    "monthly input": LiniUser.monthly_input,
    "campaign report": LiniUser.campaign_report,
    "family list": LiniUser.family_list,
    "family list, next page": LiniUser.family_list_next,
    "family search": LiniUser.family_search,
    "family": LiniUser.family,
}


@events.request.add_listener
def _keep(name: str, response_time: float, exception: BaseException | None, **_kwargs: Any) -> None:
    if "start" in _window and "end" not in _window and name not in ("login form", "login"):
        _samples.append((name, response_time, "" if exception is None else str(exception)))


def _cpu_used(processes: list[psutil.Process]) -> dict[int, float]:
    used = {}
    for process in processes:
        with contextlib.suppress(psutil.Error):
            times = process.cpu_times()
            used[process.pid] = times.user + times.system
    return used


def _cpu_snapshot() -> dict[str, dict[int, float]]:
    """CPU seconds used so far, per process: the server (gunicorn and its workers), the
    PostgreSQL backends of the database (LOAD_DATABASE, when one is named), this load client,
    and the whole machine (every process, other work included; pid 0)."""
    server = psutil.Process(int(os.environ["LOAD_SERVER_PID"]))
    name = os.environ.get("LOAD_DATABASE", "")
    backends = []
    if name:
        for process in psutil.process_iter(["cmdline"]):
            line = " ".join(process.info["cmdline"] or [])
            if line.startswith("postgres:") and f" {name} " in line:
                backends.append(process)
    machine = psutil.cpu_times()
    idle = machine.idle + getattr(machine, "iowait", 0)
    guests = getattr(machine, "guest", 0) + getattr(machine, "guest_nice", 0)  # inside user
    return {
        "server": _cpu_used([server, *server.children(recursive=True)]),
        "database": _cpu_used(backends),
        "client": _cpu_used([psutil.Process()]),
        "machine": {0: sum(machine) - idle - guests},
    }


def _measure(runner: Runner) -> None:
    """Warm up, keep every request of the window, then stop the run."""
    gevent.sleep(WARMUP)
    before = _cpu_snapshot()
    _window["start"] = time.time()
    gevent.sleep(DURATION)
    _window["end"] = time.time()
    after = _cpu_snapshot()
    seconds = _window["end"] - _window["start"]
    for group, used in after.items():
        spent = sum(total - before[group].get(pid, 0.0) for pid, total in used.items())
        _cpu[group] = spent / seconds
    runner.quit()


@events.spawning_complete.add_listener
def _spawned(user_count: int, **_kwargs: Any) -> None:
    runner = _ENV["environment"].runner
    if runner is not None and "spawned" not in _window:
        _window["spawned"] = time.time()
        gevent.spawn(_measure, runner)


_ENV: dict[str, Environment] = {}


@events.init.add_listener
def _init(environment: Environment, **_kwargs: Any) -> None:
    _ENV["environment"] = environment


@events.quitting.add_listener
def _write(environment: Environment, **_kwargs: Any) -> None:
    RESULTS.write_text(
        json.dumps({
            "window": _window,
            "samples": _samples,
            "logins": _logins,
            "redirects": _redirects,
            "cpu": _cpu,
            "users": environment.runner.user_count if environment.runner else 0,
        }),
        encoding="utf-8",
    )  # fmt: skip
