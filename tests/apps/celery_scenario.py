"""app_celery: a real Celery worker with Basalt as both its broker and its result backend.

2,000 tasks in all: plain tasks, chains, groups, chords (the redis backend's chord counter),
tasks that retry through the broker, countdown and ETA tasks. Basalt is killed with SIGKILL
twice: once while the worker is busy (every task must still finish and the driver's result
consumer must reconnect), and once with a batch queued and no worker running (the batch must
survive the crash and be delivered when a worker starts). Every result is checked by value.

Run: BASALT_SERVER=path/to/basalt-server /usr/bin/python3 celery_scenario.py
     BASALT_APP_TARGET=redis /usr/bin/python3 celery_scenario.py   (the same against Redis)
     BASALT_CELERY_SERVER_WORKERS=2 ...   (Basalt with 2 worker threads; see body())
"""

import datetime
import gc
import os
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from app_support import Child, Server, check, log, run_scenario  # noqa: E402

RESULT_TIMEOUT = 120.0  # overall budget for collecting a phase's results
QUEUE = "celery"        # kombu's redis transport keeps the default queue in this list


def worker_argv():
    return [sys.executable, "-m", "celery", "-A", "celery_tasks", "worker",
            "--pool=prefork", "--concurrency=4", "--loglevel=INFO", "-E",
            "--hostname=basalt-app@%h"]


def wait_for_worker(app, worker, timeout=60.0):
    """Until the worker answers a broadcast ping (pidbox over the broker's pub/sub)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        check(worker.alive(), f"celery worker exited with code {worker.proc.returncode}\n"
                              f"{worker.log_tail()}")
        try:
            if app.control.ping(timeout=0.5):
                return
        except Exception as e:  # noqa: BLE001 - a pooled connection from before a restart
            log(f"ping: {type(e).__name__}: {e}; retrying")
        time.sleep(0.2)
    check(False, f"celery worker did not answer ping in {timeout}s\n{worker.log_tail()}")


def collect(pending, deadline, worker, srv):
    """pending: list of (description, result, check_fn). Waits for every result (celery's
    redis result consumer: pub/sub plus GETs) and checks each value."""
    errors = []
    for desc, res, verify in pending:
        left = deadline - time.monotonic()
        try:
            value = res.get(timeout=max(left, 0.1), propagate=True, interval=0.1)
        except Exception as e:  # noqa: BLE001 - report which task failed and how
            errors.append(f"{desc}: {type(e).__name__}: {e}")
            if len(errors) >= 10 or time.monotonic() >= deadline:
                break
            continue
        problem = verify(value)
        if problem:
            errors.append(f"{desc}: {problem}")
    check(not errors, "results missing or wrong (first failures):\n  " + "\n  ".join(errors)
          + f"\n{worker.log_tail()}\n{srv.log_tail()}")


def expect(want):
    return lambda got: None if got == want else f"got {got!r}, want {want!r}"


def expect_stamp(tag, not_before):
    def verify(got):
        if not (isinstance(got, list) and got[0] == tag):
            return f"got {got!r}, want tag {tag!r}"
        if got[1] < not_before - 0.05:  # ran before its countdown/ETA
            return f"ran {not_before - got[1]:.3f}s before its ETA"
        return None
    return verify


def enqueue_main(tasks):
    """The 1,680 tasks of the first phase; returns the pending list."""
    from celery import chain, chord, group
    add, mul, tsum, stamp, flaky = (tasks.add, tasks.mul, tasks.tsum, tasks.stamp,
                                    tasks.flaky)
    pending = []
    for i in range(840):                                          # 840 tasks
        pending.append((f"add({i},{i})", add.delay(i, i), expect(2 * i)))
    for i in range(100):                                          # 300 tasks
        res = chain(add.s(i, 1), mul.s(2), add.s(3)).apply_async()
        pending.append((f"chain {i}", res, expect((i + 1) * 2 + 3)))
    for g in range(20):                                           # 200 tasks
        res = group(add.s(g, k) for k in range(10)).apply_async()
        pending.append((f"group {g}", res, expect([g + k for k in range(10)])))
    for c in range(20):                                           # 220 tasks
        res = chord(add.s(c, k) for k in range(10))(tsum.s())
        pending.append((f"chord {c}", res, expect(sum(c + k for k in range(10)))))
    for n in range(20):                                           # 20 tasks, 40 retries
        pending.append((f"flaky {n}", flaky.delay(n, 2), expect([n, 2])))
    for n in range(60):                                           # 60 tasks
        countdown = 1.0 + (n % 5) * 0.25
        due = time.time() + countdown
        res = stamp.apply_async((f"cd{n}",), countdown=countdown)
        pending.append((f"countdown {n}", res, expect_stamp(f"cd{n}", due)))
    for n in range(40):                                           # 40 tasks
        eta = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=1.5)
        res = stamp.apply_async((f"eta{n}",), eta=eta)
        pending.append((f"eta {n}", res, expect_stamp(f"eta{n}", eta.timestamp())))
    return pending


def enqueue_batch(tasks, tag):
    """160 tasks of the crash phases (plain tasks, chains, countdowns; no chords, so a message
    delivered twice after a crash changes no result); returns the pending list."""
    from celery import chain
    pending = []
    for i in range(100):                                          # 100 tasks
        pending.append((f"{tag} add({i},7)", tasks.add.delay(i, 7), expect(i + 7)))
    for i in range(15):                                           # 45 tasks
        res = chain(tasks.add.s(i, 2), tasks.mul.s(3), tasks.add.s(1)).apply_async()
        pending.append((f"{tag} chain {i}", res, expect((i + 2) * 3 + 1)))
    for n in range(15):                                           # 15 tasks
        due = time.time() + 1.0
        res = tasks.stamp.apply_async((f"{tag}{n}",), countdown=1.0)
        pending.append((f"{tag} countdown {n}", res, expect_stamp(f"{tag}{n}", due)))
    return pending


def rebind(tasks, pending):
    """The same results through a fresh application object. After a server restart the old
    object's result consumer (celery's pub/sub reader) sometimes sees results only late,
    against Redis too; a fresh one subscribes anew. The batches hold plain results only."""
    app = tasks.make_app()
    return [(desc, app.AsyncResult(res.id), verify) for desc, res, verify in pending]


class Workers:
    """Starts Celery workers one at a time; the scenario's cleanup stops each by PID."""

    def __init__(self, app, workdir, cleanup):
        self.app = app
        self.workdir = workdir
        self.cleanup = cleanup
        self.current = None

    def start(self, visibility):
        env = dict(os.environ, BASALT_CELERY_VISIBILITY=str(visibility),
                   PYTHONPATH=HERE + os.pathsep + os.environ.get("PYTHONPATH", ""))
        self.current = Child("celery-worker", worker_argv(), self.workdir, env=env,
                             cwd=HERE).start()
        self.cleanup.append(self.current.stop)
        wait_for_worker(self.app, self.current)
        return self.current

    def kill(self):
        self.current.stop(sig=signal.SIGKILL)

    def stop(self):
        code = self.current.stop()
        check(code == 0, f"celery worker exited with code {code} on SIGTERM\n"
                         f"{self.current.log_tail()}")


def body(workdir, cleanup):
    # One worker thread: Celery's result consumer sends SUBSCRIBE on its pub/sub connection
    # and, without waiting for the reply, GETs the result on another connection. It relies on
    # the server running the two in the order they were sent, as Redis's single thread does;
    # Basalt's worker threads can run the GET first, and a result stored in between is then
    # never seen (get() hangs until its timeout). With one worker Basalt keeps that order.
    # BASALT_CELERY_SERVER_WORKERS=N runs Basalt with N workers to show that race.
    threads = os.environ.get("BASALT_CELERY_SERVER_WORKERS", "1")
    srv = Server(workdir, basalt_extra=["--workers", threads]).start()
    cleanup.append(srv.kill9)
    os.environ["BASALT_CELERY_BROKER"] = srv.url(0)
    os.environ["BASALT_CELERY_BACKEND"] = srv.url(1)
    import celery_tasks as tasks  # reads the URLs above
    workers = Workers(tasks.app, workdir, cleanup)

    # Phase 1: 1,680 tasks of every kind with the worker running.
    t0 = time.monotonic()
    worker = workers.start(visibility=3600)
    pending = enqueue_main(tasks)
    log(f"phase 1: {len(pending)} results pending (1,680 tasks), enqueued in "
        f"{time.monotonic() - t0:.1f}s")
    collect(pending, time.monotonic() + RESULT_TIMEOUT, worker, srv)
    log(f"phase 1 complete in {time.monotonic() - t0:.1f}s")

    # Phase 2: SIGKILL Basalt while the worker is in the middle of 160 tasks.
    t1 = time.monotonic()
    backend = srv.client(1)
    stored = backend.dbsize()
    workers.stop()
    worker = workers.start(visibility=5)
    pending = enqueue_batch(tasks, "mid")
    end = time.monotonic() + 60
    while time.monotonic() < end and backend.dbsize() < stored + 40:
        time.sleep(0.02)
    # kombu's redis transport pops a message (BRPOP) and then records it as unacknowledged
    # in a second command; a broker crash between the two loses that message, whatever the
    # server (kombu's own window, seen against Redis too). So the worker first stops taking
    # new messages; the tasks it already holds are still running when the server dies.
    replies = tasks.app.control.cancel_consumer(QUEUE, reply=True, timeout=5)
    check(replies, "the worker did not confirm cancel_consumer")
    time.sleep(0.5)
    log(f"phase 2: kill -9 basalt mid-run ({backend.dbsize() - stored} of 130 results stored, "
        f"{srv.client(0).llen(QUEUE)} messages queued, "
        f"{srv.client(0).hlen('unacked')} unacknowledged)")
    srv.restart_after_kill9()
    # Celery 5.2's worker does not reliably come back from a broker crash: it may reconnect
    # and then take nothing more from the queue (celery/celery#8030), and a warm shutdown
    # can hang after the reconnect; both happen against Redis too. So the worker is replaced
    # the way a supervisor replaces a stuck one: SIGKILL, new worker. The messages it held
    # unacknowledged are delivered again once older than the visibility timeout.
    workers.kill()
    worker = workers.start(visibility=5)
    pending = rebind(tasks, pending)
    collect(pending, time.monotonic() + RESULT_TIMEOUT, worker, srv)
    log(f"phase 2 complete in {time.monotonic() - t1:.1f}s")

    # Phase 3: stop the worker, queue 160 tasks, SIGKILL Basalt, restart it, start a worker.
    t2 = time.monotonic()
    workers.stop()
    broker = srv.client(0)
    check(broker.llen(QUEUE) == 0, f"queue not empty after phase 2: {broker.llen(QUEUE)}")
    pending = enqueue_batch(tasks, "queued")
    queued = broker.llen(QUEUE)
    check(queued == 130, f"{queued} messages queued, want 130 (100 adds, 15 chain heads, "
                         f"15 countdowns)")
    srv.restart_after_kill9()
    broker = srv.client(0)
    after = broker.llen(QUEUE)
    check(after == queued, f"kill -9 lost queued messages: {queued} before, {after} after")
    log(f"phase 3: {queued} queued messages survived kill -9; starting the worker")
    worker = workers.start(visibility=5)
    pending = rebind(tasks, pending)
    collect(pending, time.monotonic() + RESULT_TIMEOUT, worker, srv)
    log(f"phase 3 complete in {time.monotonic() - t2:.1f}s")
    workers.stop()
    check(broker.llen(QUEUE) == 0, f"queue not drained: {broker.llen(QUEUE)} messages left")
    check(broker.hlen("unacked") == 0,
          f"{broker.hlen('unacked')} messages left unacknowledged after a warm shutdown")
    pending.clear()  # drop the results (their consumer talks to the server) before it stops
    gc.collect()
    code = srv.stop()
    check(code == 0, f"server exited with code {code} on SIGTERM\n{srv.log_tail()}")


if __name__ == "__main__":
    run_scenario("app_celery", body)
