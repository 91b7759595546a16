"""Questions from content, grading, FSRS scheduling and the study planner.

Plain Python: no Flask, no database, no genanki, no clock reads (`now` is passed in).

- `bank.build_bank(course) -> Bank`: authored questions (`authored`) plus questions
  generated from the endangerment-site table (`generators`, `matching`, over `facts`),
  ordered deterministically (`shuffle`), checked; raises `errors.QuizError`.
- `grading.grade(question, response) -> Grade`, never raising; cloze text rules in `textmatch`.
- `scheduling`: fsrs behind plain dicts, the rating and retention rules.
- `planner.plan_next` / `forecast`: what to study next, counts, due forecast.
- `export_gift`, `export_moodle` (+ `cli`'s `massage-course export`): the bank for learning platforms.
- `bodymap`: the body-map SVG (drawn separately).
"""
