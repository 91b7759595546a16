"""Synthetic study history: simulated learners studying through the real planner and scheduler.

`seed.seed_school` fills a database (the `seed-synthetic` command, benchmarks,
load tests); `demo.ensure_demo` makes the small first-run demo.
"""
