"""The Celery application of the app_celery scenario: Basalt is both its broker and its result
backend. The worker and the driver (celery_scenario.py) import this module; both read the
server's URLs from the environment (BASALT_CELERY_BROKER, BASALT_CELERY_BACKEND)."""

import os
import time

from celery import Celery


def make_app():
    """A Celery application object with the scenario's configuration (the driver makes a
    fresh one to collect results after a server restart; see celery_scenario.py)."""
    app = Celery("celery_tasks",
                 broker=os.environ.get("BASALT_CELERY_BROKER", "redis://127.0.0.1:6379/0"),
                 backend=os.environ.get("BASALT_CELERY_BACKEND", "redis://127.0.0.1:6379/1"))
    app.conf.update(CONFIG)
    return app


CONFIG = dict(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    result_expires=3600,
    # The worker acknowledges after running a task: a task that was taken from the queue but
    # not finished goes back to the queue (kombu's visibility timeout) instead of being lost.
    task_acks_late=True,
    worker_prefetch_multiplier=8,
    broker_connection_retry=True,
    broker_connection_max_retries=None,
    # A message a worker took but never acknowledged (it was in flight when the broker
    # crashed) is delivered again once it is this old. The scenario shortens it for the
    # workers whose batches hold no chords (a chord must not see a header task twice).
    broker_transport_options={
        "visibility_timeout": float(os.environ.get("BASALT_CELERY_VISIBILITY", "3600"))},
    result_backend_transport_options={"retry_policy": {"timeout": 30.0}},
    redis_backend_health_check_interval=5,
)

app = make_app()


@app.task
def add(x, y):
    return x + y


@app.task
def mul(x, y):
    return x * y


@app.task
def tsum(values):
    return sum(values)


@app.task
def stamp(tag):
    """Returns its tag and when it ran, so countdown/ETA tasks can be checked for timing."""
    return [tag, time.time()]


@app.task(bind=True, max_retries=5)
def flaky(self, n, failures):
    """Fails `failures` times (each a real retry through the broker, with a countdown), then
    returns n together with the number of retries it took."""
    if self.request.retries < failures:
        raise self.retry(countdown=0.3, exc=RuntimeError(f"attempt {self.request.retries}"))
    return [n, self.request.retries]
