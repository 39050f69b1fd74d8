"""Background tasks (Django's tasks API): thin, they load by id and call the job runner."""

from __future__ import annotations

from django_tasks import task

from lini.exchange import jobs


@task()
def data_job_run(job_id: int) -> None:
    jobs.data_job_run(job_id)
