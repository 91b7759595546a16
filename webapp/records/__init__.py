"""The learning record: an answer scored, stored once, corrected or undone, its rollups, and the figures read from them.

Every feature that writes an answer (study, exams, the Anki import, the synthetic
school) goes through `answers`; every page that shows how a learner or a class is
doing reads `stats` and `activity`. `activity` registers ORM listeners, so the
app factory imports it before any review is written.
"""
