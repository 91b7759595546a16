"""Capacity: how many students can study at once on this box, at p99 <= 100 ms, as students per app core.

Starts `massage-course serve --production` (gunicorn) on a database of its own
(students answer, so give it a copy of a seeded school), then ramps simulated
students, each an asyncio task with its own connection and cookies:

    log in once; then, again and again: GET the next question, think (a gamma
    draw around --think seconds), POST the answer (the redirect to the answer
    page is followed), read the answer page (1-3 s); now and then (--rate-share)
    override the rating; once in a while (--progress-share) open the progress page.

Every --step students more, after --settle seconds for the newcomers to fall into
step, the load is held --probe seconds and measured: each kind of request's
p50/p99, errors, req/s, and the CPU of the app (gunicorn), of the database
(PostgreSQL backends of this database; SQLite works inside the app), of this
load generator, and of everything else on the machine. The ramp stops at the
first window where any kind's p99 passes --limit-ms or any request fails; the
largest count that passed is then held --hold seconds (60) to confirm it (one
step lower if it does not hold). Log-ins are timed and reported apart: argon2id
is slow on purpose and a student signs in once a session.

    cp /tmp/school2000.sqlite3 /tmp/capacity.sqlite3
    .venv/bin/python -m benchmarks.bench_capacity --database-url sqlite:////tmp/capacity.sqlite3 \\
        --redis-url redis://127.0.0.1:6379/12

Without `--database-url` (or BENCH_SERVING_DATABASE_URL) it says so and skips.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from dataclasses import dataclass

from sqlalchemy.engine import make_url

from benchmarks.bench_serving import add_server_options, answer_form, students
from benchmarks.loadkit import Browser, CpuFigures, CpuMeter, Recorder, load_average, minted, served, sign_in

# Moodle 4.5's quiz under load (Universidad de la República, March 2026, JMeter): 2,000 simultaneous users
# held with no errors on a 12-vCPU web server and a 4-vCPU MySQL server; a 16-question quiz, 2 questions a
# page, think time 30-90 s between pages (one answer per 30 s on average).
MOODLE_SOURCE = ("https://www.proyectos.udelar.edu.uy/redmine/projects/moodleperf/wiki/"
                 "Load_test_results_in_moodle_45_(feb_2026)")
MOODLE_USERS, MOODLE_WEB_CPUS, MOODLE_DB_CPUS, MOODLE_SECONDS_PER_ANSWER = 2000, 12, 4, 30.0


@dataclass
class Window:
    """One measured hold at a number of students."""

    students: int
    record: Recorder
    cpu: CpuFigures
    load: str
    limit_ms: float

    @property
    def passed(self) -> bool:
        """No failed request and every kind's p99 within the limit."""
        return self.record.total_errors() == 0 and all(
            self.record.p(kind, 0.99) <= self.limit_ms for kind in self.record.requests())

    @property
    def answers_per_second(self) -> float:
        """Answers recorded per second."""
        return len(self.record.times.get("answer POST", [])) / self.cpu.seconds

    def row(self) -> str:
        """A Markdown row of the window."""
        r = self.record

        def p(kind: str) -> str:
            return f"{r.p(kind, 0.5):.0f} / {r.p(kind, 0.99):.0f}" if r.times.get(kind) else "–"

        c = self.cpu
        return (f"| {self.students} | {c.seconds:.0f} | {r.count() / c.seconds:.1f} | {self.answers_per_second:.1f} | "
                f"{p('study page')} | {p('answer POST')} | {p('answer page')} | {p('rating POST')} | {p('progress page')} | "
                f"{r.total_errors()} | {c.app:.2f} | {c.database:.2f} | {c.loadgen:.2f} | {c.others:.2f} | {self.load} | "
                f"{'held' if self.passed else 'over'} |")


HEADER = ("| students | s | req/s | answers/s | study page p50 / p99 ms | answer POST | answer page | rating POST | "
          "progress page | errors | CPU app | CPU database | CPU load generator | CPU others | load average | |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")


class Crowd:
    """The students studying now, each a task; the window's recorder is swapped on all at once."""

    def __init__(self, args: argparse.Namespace, port: int, emails: list[str]) -> None:
        self.args, self.port, self.emails = args, port, emails
        self.rng = random.Random(args.seed)
        self.active: list[tuple[Browser, asyncio.Task[None]]] = []
        self.idle: list[Browser] = []  # signed in, not studying (after a step down)
        self.logins = Recorder()
        self.record = Recorder()
        self.nothing_to_do = 0

    async def resize(self, count: int) -> None:
        """Sign in and start students, or stop the last ones, until `count` study."""
        while len(self.active) > count:
            browser, task = self.active.pop()
            task.cancel()
            self.idle.append(browser)
        wanted = count - len(self.active)
        reuse, self.idle = self.idle[:wanted], self.idle[wanted:]
        fresh_emails = self.emails[:wanted - len(reuse)]
        self.emails = self.emails[len(fresh_emails):]
        if self.args.mint_sessions:
            fresh = minted(self.port, self.args.database_url, fresh_emails, self.logins)
        else:
            fresh = await sign_in(self.port, fresh_emails, self.logins, at_once=self.args.workers * self.args.threads)
        for browser in reuse + fresh:
            browser.record = self.record
            self.active.append((browser, asyncio.create_task(self.study(browser))))

    def swap(self) -> Recorder:
        """A new recorder for every student from now on; returns the one that ends."""
        ended, self.record = self.record, Recorder()
        for browser, _ in self.active:
            browser.record = self.record
        return ended

    def think(self) -> float:
        """Seconds before answering: gamma-distributed around --think (shape 4: most between half and twice)."""
        return self.rng.gammavariate(4.0, self.args.think / 4.0)

    async def study(self, browser: Browser) -> None:
        """One student's loop (see the module docstring)."""
        rng, args = self.rng, self.args
        await asyncio.sleep(rng.uniform(0, args.think))  # newcomers do not arrive in step
        while True:
            await browser.go("study page", "GET", "/study/")
            if 'name="presentation"' not in browser.page:
                self.nothing_to_do += 1  # done for today (or an error, already counted): come back later
                browser.hang_up()
                await asyncio.sleep(self.think())
                continue
            form = answer_form(browser.page)
            browser.hang_up()
            await asyncio.sleep(self.think())
            await browser.go("answer POST", "POST", "/study/answer", form, then="answer page")
            if rng.random() < args.rate_share and "/study/answers/" in browser.url:
                review = browser.url.split("/study/answers/", 1)[1].split("?", 1)[0]
                browser.hang_up()
                await asyncio.sleep(rng.uniform(1.0, 3.0))
                await browser.go("rating POST", "POST", f"/study/answers/{review}/rating",
                                 [("csrf_token", browser.csrf()), ("rating", str(rng.choice((1, 2, 3, 4))))],
                                 then="answer page")
            if rng.random() < args.progress_share:
                await browser.go("progress page", "GET", "/progress")
                browser.hang_up()
                await asyncio.sleep(rng.uniform(2.0, 6.0))
            browser.hang_up()
            await asyncio.sleep(rng.uniform(1.0, 3.0))


async def _window(crowd: Crowd, meter: CpuMeter, seconds: float) -> Window:
    crowd.swap()
    meter.start()
    await asyncio.sleep(seconds)
    cpu = meter.stop()
    record = crowd.swap()
    window = Window(len(crowd.active), record, cpu, load_average(), crowd.args.limit_ms)
    print(window.row(), flush=True)
    return window


async def _ramp(args: argparse.Namespace, port: int, master: int, emails: list[str]) -> tuple[list[Window], Window | None]:
    crowd = Crowd(args, port, emails)
    meter = CpuMeter(master, args.database_url)
    windows: list[Window] = []
    best: Window | None = None
    try:
        count = args.start
        print(HEADER, flush=True)
        while count <= args.max_students:
            await crowd.resize(count)
            await asyncio.sleep(args.settle)
            window = await _window(crowd, meter, args.probe)
            windows.append(window)
            if not window.passed:
                break
            best = window
            count += args.step
        # Confirm the largest count that passed over the full hold, one step lower if it does not hold.
        held: Window | None = None
        candidate = best.students if best else 0
        for _ in range(3):
            if candidate <= 0:
                break
            await crowd.resize(candidate)
            await asyncio.sleep(args.settle)
            window = await _window(crowd, meter, args.hold)
            windows.append(window)
            if window.passed:
                held = window
                break
            candidate -= args.step
        logins = crowd.logins.times.get("log-in", [])
        if args.mint_sessions:
            print("\nstudents signed in by session cookies made with the server's key (--mint-sessions)")
        print(f"\nlog-ins (argon2id, {args.workers * args.threads} at a time, not part of the p99 rule): "
              f"{len(logins)}, p50 {crowd.logins.p('log-in', 0.5):.0f} ms, p99 {crowd.logins.p('log-in', 0.99):.0f} ms; "
              f"'nothing to study now' pages: {crowd.nothing_to_do}")
        for window in windows:
            for sample in window.record.samples:
                print(f"  error at {window.students} students: {sample}")
        return windows, held
    finally:
        for _, task in crowd.active:
            task.cancel()
        await asyncio.gather(*(task for _, task in crowd.active), return_exceptions=True)
        for browser in [b for b, _ in crowd.active] + crowd.idle:
            browser.hang_up()
        meter.close()


def summary(held: Window | None, args: argparse.Namespace) -> list[str]:
    """The figures a school plans with, and Moodle's beside them, normalised the same way."""
    backend = make_url(args.database_url).get_backend_name()
    if held is None:
        return [f"{backend}: no count held p99 <= {args.limit_ms:g} ms for {args.hold:g} s (start lower: --start)"]
    c = held.cpu
    per_app_core = held.students / c.app if c.app else float("nan")
    answers = held.answers_per_second or float("nan")
    pace = held.students / answers
    moodle_at_our_pace = MOODLE_USERS * pace / MOODLE_SECONDS_PER_ANSWER
    return [
        f"{backend}: {held.students} students held {c.seconds:.0f} s at p99 <= {args.limit_ms:g} ms "
        f"({args.workers} workers x {args.threads} threads on {c.cores} cores shared with the database and this load "
        f"generator; load average {held.load})",
        f"  {held.record.count() / c.seconds:.1f} req/s, {held.answers_per_second:.1f} answers/s "
        f"(one answer per {pace:.1f} s per student)",
        f"  cores busy: app {c.app:.2f}, database {c.database:.2f}"
        f"{' (SQLite: inside the app)' if backend == 'sqlite' else ''}, load generator {c.loadgen:.2f}, "
        f"others {c.others:.2f} of {c.cores}",
        f"  students per app core: {per_app_core:,.0f} (held / app cores busy); per core of this box: "
        f"{held.students / c.cores:,.0f}",
        f"  CPU per answer (with its share of the other pages): app {1000 * c.app / answers:.1f} ms, "
        f"database {1000 * c.database / answers:.1f} ms"
        + (f", PostgreSQL commits {c.commits / answers:.1f} (every request commits its read; one write each answer)"
           if backend == "postgresql" else ""),
        f"  Moodle 4.5 quiz: {MOODLE_USERS:,} users at one answer per {MOODLE_SECONDS_PER_ANSWER:g} s on "
        f"{MOODLE_WEB_CPUS} web + {MOODLE_DB_CPUS} database vCPUs = {moodle_at_our_pace:,.0f} students at this pace, "
        f"{moodle_at_our_pace / MOODLE_WEB_CPUS:,.0f} per web vCPU, "
        f"{moodle_at_our_pace / (MOODLE_WEB_CPUS + MOODLE_DB_CPUS):,.0f} per vCPU in all ({MOODLE_SOURCE})",
    ]


def main() -> None:
    """Ramp, confirm, print the windows and the summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_server_options(parser, 8775, "a database of its own: the students write answers",
                       "Redis for rate limits, as in production")
    parser.add_argument("--start", type=int, default=50, help="students in the first window")
    parser.add_argument("--step", type=int, default=50, help="students added per window")
    parser.add_argument("--max-students", type=int, default=1500)
    parser.add_argument("--settle", type=float, default=10.0, help="seconds after adding students, before measuring")
    parser.add_argument("--probe", type=float, default=20.0, help="seconds measured per ramp window")
    parser.add_argument("--hold", type=float, default=60.0, help="seconds the largest passing count must hold")
    parser.add_argument("--limit-ms", type=float, default=100.0, help="p99 bound for every kind of request")
    parser.add_argument("--think", type=float, default=10.0, help="mean seconds before answering")
    parser.add_argument("--rate-share", type=float, default=0.2, help="share of answers whose rating is overridden")
    parser.add_argument("--progress-share", type=float, default=0.05, help="share of answers followed by progress")
    parser.add_argument("--mint-sessions", action="store_true",
                        help="sign students in with session cookies made with the server's key, not the log-in form")
    parser.add_argument("--seed", type=int, default=None, help="which students and draws (default: new each run)")
    args = parser.parse_args()
    if not args.database_url:
        print("bench_capacity: skipped, no --database-url or BENCH_SERVING_DATABASE_URL (it writes: give it a copy "
              "of a seeded school)")
        return
    args.seed = args.seed if args.seed is not None else int(time.time())
    emails = students(args.database_url, args.max_students, args.seed)
    print(f"\nbench_capacity: {args.database_url}, think {args.think:g} s, +{args.step} students per window, "
          f"{args.settle:g} s settle, {args.probe:g} s probes, {args.hold:g} s hold, p99 <= {args.limit_ms:g} ms, "
          f"seed {args.seed}; load average before: {load_average()}")
    with served(args.database_url, args.redis_url, args.port, args.workers, args.threads) as master:
        _, held = asyncio.run(_ramp(args, args.port, master, emails))
    print("\n" + "\n".join(summary(held, args)))


if __name__ == "__main__":
    main()
