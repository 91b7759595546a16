"""The exam-start rush: N students start the same practice exam within 5 s, then answer at exam pace.

As when an instructor says "start now": the instructor has set each class of
the chosen students a practice exam (an "exam" assignment, --length questions
over the class's modules); every student sits signed in on the home page, which
shows the assignment's start button. Within --spread seconds (uniform) each
clicks it (POST `/exams/assigned/<id>`: the exam is drawn and the readiness
predicted; the redirect shows the readiness page), reads it for 1-3 s, clicks
Begin (POST `/exams/<id>/begin`, redirected to question 1), then answers
--answers questions, each after a gamma draw around --exam-think seconds (POST the
question, redirected to the next).

Reported for each N: p50/p99 of the start click and the begin click (all their
requests, redirects included, as the student waits for them), of each answer
click, and of every single request; errors; the app's and database's CPU over
the first seconds (the rush). N runs through --sizes (40 and 300), then grows by
half while p99 of every click stays under --limit-ms (1 s), up to --max-n.

    cp /tmp/school2000.sqlite3 /tmp/rush.sqlite3
    .venv/bin/python -m benchmarks.bench_rush --database-url sqlite:////tmp/rush.sqlite3 --redis-url redis://127.0.0.1:6379/12

Without `--database-url` (or BENCH_SERVING_DATABASE_URL) it says so and skips.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import time

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from benchmarks.bench_serving import add_server_options, answer_form, students
from benchmarks.loadkit import Browser, CpuFigures, CpuMeter, Recorder, load_average, minted, served, sign_in
from webapp.platform.models import Assignment, Enrollment, User

CLICKS = ("start", "begin", "answer")


def set_exams(database_url: str, emails: list[str], length: int) -> dict[str, int]:
    """An exam assignment for every class of these students (as their instructors would set it): email -> its id."""
    engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            rows = session.execute(select(User.email, Enrollment.class_id).join(Enrollment, Enrollment.user_id == User.id)
                                   .where(User.email.in_(emails))).all()
            by_class: dict[int, Assignment] = {}
            for _, class_id in rows:
                if class_id not in by_class:
                    by_class[class_id] = Assignment(
                        class_id=class_id, title="Practice exam: start now", kind="exam", modules=[], lessons=[],
                        exam_length=length, due_on=dt.date.today() + dt.timedelta(days=1))
                    session.add(by_class[class_id])
            session.commit()
            return {email: by_class[class_id].id for email, class_id in rows}
    finally:
        engine.dispose()


async def _take(browser: Browser, assignment: int, args: argparse.Namespace, rng: random.Random) -> None:
    await asyncio.sleep(rng.uniform(0, args.spread))
    status = await browser.go("start", "POST", f"/exams/assigned/{assignment}", [("csrf_token", browser.csrf())],
                              then="readiness page")
    exam = browser.url.split("/exams/", 1)[-1].split("/", 1)[0]
    if status != 200 or not exam.isdigit():
        return  # the failure is recorded; the student goes no further
    browser.hang_up()  # reading longer than gunicorn keeps an idle connection (2 s): the browser reconnects
    await asyncio.sleep(rng.uniform(1.0, 3.0))
    await browser.go("begin", "POST", f"/exams/{exam}/begin", [("csrf_token", browser.csrf())], then="exam question")
    for position in range(1, args.answers + 1):
        form = answer_form(browser.page) + [("go", "next")]
        browser.hang_up()
        await asyncio.sleep(rng.gammavariate(4.0, args.exam_think / 4.0))
        await browser.go("answer", "POST", f"/exams/{exam}/q/{position}", form, then="exam question")


async def rush(browsers: list[Browser], assignments: list[int], args: argparse.Namespace, meter: CpuMeter,
               seed: int) -> tuple[Recorder, CpuFigures]:
    """One rush of len(browsers) students; the CPU is measured over the start (--spread + --after seconds)."""
    record = Recorder()
    rng = random.Random(seed)
    for browser in browsers:
        browser.record = record
    meter.start()
    tasks = [asyncio.create_task(_take(b, a, args, rng)) for b, a in zip(browsers, assignments)]
    await asyncio.sleep(args.spread + args.after)
    cpu = meter.stop()
    await asyncio.gather(*tasks)
    return record, cpu


def row(n: int, record: Recorder, cpu: CpuFigures, load: str) -> str:
    """A Markdown row: the clicks' p50/p99, errors, CPU over the start, load average."""
    cells = []
    for click in CLICKS:
        times = record.times.get(f"click: {click}", [])
        cells.append(f"{record.p(f'click: {click}', 0.5):.0f} / {record.p(f'click: {click}', 0.99):.0f}"
                     if times else "–")
    return (f"| {n} | {' | '.join(cells)} | {record.total_errors()} | {cpu.app:.2f} | {cpu.database:.2f} | "
            f"{cpu.loadgen:.2f} | {cpu.others:.2f} | {load} |")


def passed(record: Recorder, limit_ms: float) -> bool:
    """No failed request and every click's p99 under the limit."""
    return record.total_errors() == 0 and all(record.p(f"click: {c}", 0.99) < limit_ms for c in CLICKS)


async def _run(args: argparse.Namespace, port: int, master: int, emails: list[str], ids: dict[str, int]) -> None:
    meter = CpuMeter(master, args.database_url)
    logins = Recorder()
    if args.log_in:
        browsers = await sign_in(port, emails, logins, at_once=args.workers * args.threads)
    else:
        browsers = minted(port, args.database_url, emails, logins)
    gate = asyncio.Semaphore(args.workers * args.threads)

    async def home(browser: Browser) -> None:  # on the home page with the start button when the instructor says go
        async with gate:
            await browser.go("home", "GET", "/")
            browser.csrf()
            browser.hang_up()

    await asyncio.gather(*(home(browser) for browser in browsers))  # not timed: a run records afresh
    if missing := sum(not browser.csrf() for browser in browsers):
        raise SystemExit(f"{missing} students' home pages had no form to start from: {logins.samples}")
    print("| N | start p50 / p99 ms | begin p50 / p99 ms | answer p50 / p99 ms | errors | CPU app (start) | "
          "CPU database | CPU load generator | CPU others | load average |\n|---|---|---|---|---|---|---|---|---|---|",
          flush=True)
    plan = [n for n in args.sizes if n <= len(browsers)]
    largest, smallest_failed, extra = 0, 0, 0
    details: list[str] = []
    try:
        while plan:
            n = plan.pop(0)
            record, cpu = await rush(browsers[:n], [ids[e] for e in emails[:n]], args, meter, args.seed + n)
            print(row(n, record, cpu, load_average()), flush=True)
            details.append(f"N={n}: " + ", ".join(
                f"{kind} {record.p(kind, 0.5):.0f}/{record.p(kind, 0.99):.0f} ms" for kind in record.requests())
                + "".join(f"; error {sample}" for sample in record.samples))
            if passed(record, args.limit_ms):
                largest = max(largest, n)
            else:
                smallest_failed = min(smallest_failed or n, n)
            if plan or extra >= args.extra_runs:
                continue
            # After the listed sizes: grow by half while it holds, then halve the gap to the first failure.
            top = min(args.max_n, len(browsers))
            following = (largest + smallest_failed) // 2 if smallest_failed else min(top, largest * 3 // 2)
            if largest < following < (smallest_failed or top + 1) and following != n:
                plan.append(following)
                extra += 1
    finally:
        for browser in browsers:
            browser.hang_up()
        meter.close()
    print("\nsingle requests, p50/p99 ms: " + "\n  ".join([""] + details))
    print(f"largest N measured with every click's p99 under {args.limit_ms:g} ms: {largest or 'none'} "
          f"(smallest that failed: {smallest_failed or 'none'}; --max-n {args.max_n})"
          + (f"; log-ins before the rush (not timed in it): p50 {logins.p('log-in', 0.5):.0f} ms" if args.log_in else
             "; students signed in by session cookies made with the server's key (--log-in: through the form)"))


def main() -> None:
    """Set the exams, start the server, rush, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_server_options(parser, 8785, "a database of its own: the exams are written", "Redis, as in production")
    parser.add_argument("--sizes", type=lambda s: [int(n) for n in s.split(",")], default=[40, 300],
                        help="class sizes measured first, comma-separated")
    parser.add_argument("--max-n", type=int, default=600, help="the largest N tried after --sizes")
    parser.add_argument("--spread", type=float, default=5.0, help="seconds over which the students click start")
    parser.add_argument("--after", type=float, default=5.0, help="seconds after the spread still counted as the rush")
    parser.add_argument("--length", type=int, default=50, help="questions in the exam")
    parser.add_argument("--answers", type=int, default=3, help="questions each student answers in the run")
    parser.add_argument("--exam-think", type=float, default=20.0, help="mean seconds per exam question")
    parser.add_argument("--log-in", action="store_true",
                        help="sign the students in through the log-in form first (slow: argon2id), not by minted cookies")
    parser.add_argument("--extra-runs", type=int, default=3, help="runs after --sizes to find the largest N")
    parser.add_argument("--limit-ms", type=float, default=1000.0, help="p99 bound for every click")
    parser.add_argument("--seed", type=int, default=None, help="which students and draws (default: new each run)")
    args = parser.parse_args()
    if not args.database_url:
        print("bench_rush: skipped, no --database-url or BENCH_SERVING_DATABASE_URL (it writes: give it a copy "
              "of a seeded school)")
        return
    args.seed = args.seed if args.seed is not None else int(time.time())
    emails = students(args.database_url, max(args.max_n, *args.sizes), args.seed)
    ids = set_exams(args.database_url, emails, args.length)
    print(f"\nbench_rush: {args.database_url}, {args.length}-question exam, start within {args.spread:g} s, "
          f"{args.answers} answers at about {args.exam_think:g} s each, {args.workers} workers x {args.threads} "
          f"threads, seed {args.seed}; load average before: {load_average()}")
    with served(args.database_url, args.redis_url, args.port, args.workers, args.threads) as master:
        asyncio.run(_run(args, args.port, master, emails, ids))


if __name__ == "__main__":
    main()
