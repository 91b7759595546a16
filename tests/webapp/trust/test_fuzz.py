"""Hypothesis-driven requests against every route and form: never a 5xx.

Every (rule, method) of `app.url_map` is drawn, its path filled with ids in and
out of range (up to 2**70) or text with NUL and other control characters,
unicode and percent-escapes; the query and the form get the app's field names
with huge, unicode, NUL-laden, wrong-typed or replayed values (a presentation
token and ids of the world). Bounded so `make test` stays fast: EXAMPLES
requests per visitor and database.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import IntegerConverter

from tests.webapp.trust.helpers import build_world, client_for, fill

EXAMPLES = 60
FIELDS = (
    "email", "display_name", "password", "instructor_invite_code", "join_code", "name", "desired_retention",
    "daily_new_limit", "exam_date", "modules", "presentation", "choice", "answer", "blank-1", "blank-2", "region",
    "match-a", "rating", "response_ms", "item", "next", "scope", "module", "csrf_token",
    # account, time zone, reports, assignments, exams, practice, instructor filters
    "current_password", "new_password", "confirm", "timezone", "reason", "comment", "status", "reply", "title",
    "kind", "lessons", "due_on", "recall_target", "safety_only", "exam_length", "time_limit_min", "min_score",
    "length", "go", "flag", "package",
) + ("after", "still", "still_unsafe", "all", "sort", "dir", "min_attempts", "safety", "v", "wait")
QUERY = FIELDS[:4] + FIELDS[-10:] + ("module", "next", "scope")  # what the views read from the query string
NASTY = ["\x00", "\x00" * 3, "\u202e", "\ud7ff", "\ufeff", "%00", "../../etc/passwd", "<script>alert(1)</script>",
         "' OR 1=1 --", "9" * 30, "-1", "1e309", "NaN", "null", "[]", "{}", "\r\n", "ß" * 300]

texts = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
    st.sampled_from(NASTY),
    st.text(alphabet="a\x00\x01\x1f\x7f<>&\"' ", min_size=1, max_size=20),
    st.integers(min_value=0, max_value=9000).map(lambda n: "x" * n),  # up to the 64 KB request limit
)
ints = st.one_of(st.integers(min_value=-3, max_value=2**70), st.sampled_from([0, 1, 2**31 - 1, 2**31, 2**63]))


def _routes(app: Flask) -> list[tuple[Any, str]]:
    return sorted(
        ((rule, method) for rule in app.url_map.iter_rules() for method in (rule.methods or ())
         if method not in ("HEAD", "OPTIONS")),
        key=lambda pair: (pair[0].rule, pair[1]),
    )


@pytest.mark.parametrize("role", ["anonymous", "student", "own"])
def test_no_request_makes_a_server_error(app: Flask, role: str) -> None:
    world = build_world(app)
    client = client_for(app, role)
    page = client.get("/study/").get_data(as_text=True)
    replayed = re.findall(r'name="presentation" value="([^"]+)"', page) or ["none"]
    known = [str(world.class_id), str(world.review_id), str(world.student_id), world.module_id, replayed[0],
             str(world.exam_id), str(world.assignment_id), str(world.report_id), str(world.job_id), world.item_id,
             world.token]
    routes = _routes(app)
    values = st.one_of(texts, ints.map(str), st.sampled_from(known), st.lists(texts, max_size=3))

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def one_request(data: st.DataObject) -> None:
        rule, method = data.draw(st.sampled_from(routes), label="route")
        path = rule.rule
        for name, converter in rule._converters.items():
            raw = data.draw(ints.map(str) if isinstance(converter, IntegerConverter) else
                            st.one_of(texts, st.sampled_from(known)), label=name)
            path = re.sub(rf"<[^>]*\b{name}>", quote(raw, safe="") or "x", path)
        fields = data.draw(st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), values, max_size=6),
                           label="fields")
        query = data.draw(st.dictionaries(st.sampled_from(FIELDS), texts, max_size=2), label="query")
        response = client.open(path, method=method, data=fields if method == "POST" else None,
                               query_string=query)
        response.close()
        assert response.status_code < 500, f"{method} {path} {fields!r} {query!r}: {response.status_code}"

    one_request()


# Twice the longest text the app stores or reads (a 500-character column, a 512-character token), yet short enough
# that a form with every field set stays under MAX_CONTENT_LENGTH (64 KB): each POST reaches its view. (5000 got a
# 413 before any view ran on 40 of the POST routes, and quoting its 85 KB query strings cost a third of the test.)
LONG = "x" * 1024


@pytest.mark.parametrize("value", ["A\x00B", LONG, "\u202e\ufeff🙂", str(2**63)])
def test_every_route_with_every_field_set_at_once(app: Flask, value: str) -> None:
    """The sweep the random draws may miss: each route, all fields holding the same nasty value.

    Number parts of the path are the world's real ids (so the request reaches the
    code behind the access check); text parts hold the nasty value.
    """
    world = build_world(app)
    for role in ("anonymous", "student", "own"):
        client = client_for(app, role)
        for rule, method in _routes(app):
            path = rule.rule
            for name, converter in rule._converters.items():
                if not isinstance(converter, IntegerConverter):
                    path = re.sub(rf"<[^>]*\b{name}>", quote(value, safe=""), path)
            path = fill(path, world)
            fields = dict.fromkeys(FIELDS, value) if method == "POST" else None
            response = client.open(path, method=method, data=fields, query_string=dict.fromkeys(QUERY, value))
            response.close()
            assert response.status_code != 413 and response.status_code < 500, f"{role} {method} {path}: {response.status_code}"


def test_answers_with_control_characters_under_a_valid_token(app: Flask) -> None:
    """A typed answer is not a form field: a NUL in a cloze blank is graded, stored (PostgreSQL too) or refused."""
    import datetime as dt

    from webapp.questions import tokens

    world = build_world(app)
    client = client_for(app, "student")
    for question in {q.type: q for q in app.extensions["bank"].questions}.values():
        token = tokens.issue(app.config["SECRET_KEY"], world.student_id, question.id,
                             dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=5))
        fields = {name: "A\x00B\x1b" for name in FIELDS if name != "presentation"}
        response = client.post("/study/answer", data={**fields, "presentation": token})
        assert response.status_code < 500, question.type
