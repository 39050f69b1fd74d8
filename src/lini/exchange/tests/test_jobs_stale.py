"""A worker killed while it runs a job (SIGKILL, a restarted machine) leaves the job "running";
its heartbeat stops, and the job is then marked failed with a message to run the file again."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from django.test import Client
from django.utils import timezone, translation

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.exchange import jobs
from lini.exchange.models import DataJob, JobStatus


def _job(user: object, status: str, beat_minutes_ago: float | None) -> DataJob:
    job = DataJob.objects.create(direction="import", kind="register", user=user, status=status)
    beat = (
        None
        if beat_minutes_ago is None
        else timezone.now() - dt.timedelta(minutes=beat_minutes_ago)
    )
    DataJob.objects.filter(pk=job.pk).update(beat_at=beat, started_at=beat)
    job.refresh_from_db()
    return job


@pytest.mark.django_db
def test_only_running_jobs_whose_worker_stopped_beating_are_failed(settings: object) -> None:
    settings.LINI_JOB_STALE_MINUTES = 5  # type: ignore[attr-defined]
    user = make_user(Role.CADRE, "36.04.09.2013")
    dead = _job(user, JobStatus.RUNNING, 6)
    alive = _job(user, JobStatus.RUNNING, 1)
    waiting = _job(user, JobStatus.PENDING, 60)
    done = _job(user, JobStatus.DONE, 60)

    with translation.override("en"):
        assert jobs.stale_jobs_fail() == 1

    dead.refresh_from_db()
    assert dead.status == JobStatus.FAILED
    assert dead.finished_at is not None
    assert "run the file again" in dead.error
    for job, status in ((alive, JobStatus.RUNNING), (waiting, JobStatus.PENDING),
                        (done, JobStatus.DONE)):  # fmt: skip
        job.refresh_from_db()
        assert job.status == status


@pytest.mark.django_db
def test_the_page_of_a_job_whose_worker_died_says_so(client: Client) -> None:
    user = make_user(Role.CADRE, "36.04.09.2013")
    job = _job(user, JobStatus.RUNNING, 30)
    client.force_login(user)
    with translation.override("en"):
        page = client.get(job.get_absolute_url(), headers={"Accept-Language": "en"})
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert 'hx-trigger="every 1s"' not in page.content.decode()  # no more polling


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_writes_while_the_job_runs_and_stops_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(jobs, "BEAT_SECONDS", 0.05)
    user = make_user(Role.CADRE, "36.04.09.2013")
    job = _job(user, JobStatus.RUNNING, 30)
    assert jobs.job_is_stale(job)
    with jobs._Heartbeat(job.pk):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if not jobs.job_is_stale(job):
                break
            time.sleep(0.05)
    assert not jobs.job_is_stale(job)
    job.refresh_from_db()  # after the thread has been stopped and joined
    beat = job.beat_at
    time.sleep(0.3)
    job.refresh_from_db()
    assert job.beat_at == beat  # the thread stopped with the job
