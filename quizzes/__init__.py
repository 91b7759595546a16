"""Questions from content, grading, FSRS scheduling and the study planner.

Plain Python: no Flask, no database, no genanki, no clock reads (`now` is passed in).
"""
