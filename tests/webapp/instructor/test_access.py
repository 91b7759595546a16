"""Who reaches /instructor: instructors, and only for their own classes."""

from __future__ import annotations

import csv
import io

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.webapp.helpers import log_in
from tests.webapp.instructor.helpers import PASSWORD, School

# The tests on `shared_school` only read the class and log in (every POST among them is refused), so they share
# one school a database; the tests that change the class build their own.


def class_pages(school: School, class_id: int | None = None) -> list[str]:
    cid = school.class_id if class_id is None else class_id
    base = f"/instructor/classes/{cid}"
    return [base, f"{base}/items", f"{base}/settings", f"{base}/students/{school.ann}", f"{base}/forecast",
            f"{base}/unsafe", f"{base}/export/progress.csv", f"{base}/export/items.csv", f"{base}/export/unsafe.csv"]


def test_anonymous_is_sent_to_login(reader: FlaskClient, shared_school: School) -> None:
    for url in ["/instructor/", *class_pages(shared_school)]:
        response = reader.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_student_gets_403_everywhere(reader: FlaskClient, shared_school: School) -> None:
    log_in(reader, "ann@example.com", PASSWORD)
    for url in ["/instructor/", *class_pages(shared_school)]:
        assert reader.get(url).status_code == 403, url
    assert reader.post(f"/instructor/classes/{shared_school.class_id}/code").status_code == 403


def test_other_instructors_class_is_404(reader: FlaskClient, shared_school: School) -> None:
    log_in(reader, "other@example.com", PASSWORD)
    for url in class_pages(shared_school):
        assert reader.get(url).status_code == 404, url
    for action in ("code", "archive", f"students/{shared_school.ann}/remove"):
        assert reader.post(f"/instructor/classes/{shared_school.class_id}/{action}").status_code == 404, action


def test_own_class_pages_answer(reader: FlaskClient, shared_school: School) -> None:
    log_in(reader, "teacher@example.com", PASSWORD)
    for url in ["/instructor/", *class_pages(shared_school)]:
        response = reader.get(url)
        assert response.status_code == 200, url
    assert b"Spring cohort" in reader.get("/instructor/").data
    assert b"Other class" not in reader.get("/instructor/").data


def test_student_of_another_class_is_404_on_student_page(reader: FlaskClient, shared_school: School) -> None:
    log_in(reader, "teacher@example.com", PASSWORD)
    url = f"/instructor/classes/{shared_school.class_id}/students/{shared_school.outsider}"
    assert reader.get(url).status_code == 404


def test_create_edit_regenerate_archive_and_remove(client: FlaskClient, app: Flask, school: School) -> None:
    log_in(client, "teacher@example.com", PASSWORD)
    response = client.post("/instructor/classes/new", data={
        "name": "Evening group", "desired_retention": "92", "daily_new_limit": "15",
        "exam_date": "2026-06-01", "modules": ["endangerment-sites", "neck-safety"],
    })
    assert response.status_code == 302
    overview = client.get(response.headers["Location"])
    assert b"Evening group" in overview.data
    class_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    settings = client.get(f"/instructor/classes/{class_id}/settings").data.decode()
    assert 'value="92"' in settings and 'value="15"' in settings
    bad = client.post(f"/instructor/classes/{class_id}/settings", data={
        "name": "", "desired_retention": "150", "daily_new_limit": "0", "modules": []})
    assert bad.status_code == 400
    assert b"Give the class a name." in bad.data and b"between 70 and 97" in bad.data
    code_before = _code(client, class_id)
    client.post(f"/instructor/classes/{class_id}/code")
    assert _code(client, class_id) != code_before
    client.post(f"/instructor/classes/{class_id}/archive")
    assert b"Archived" in client.get("/instructor/").data
    removed = client.post(f"/instructor/classes/{school.class_id}/students/{school.bob}/remove", follow_redirects=True)
    assert b"Student removed" in removed.data
    page = client.get(f"/instructor/classes/{school.class_id}/settings").data.decode()
    roster = page[page.index('id="roster"'):]
    assert "Bob" not in roster and "Ann" in roster
    assert "Undo: add Bob back" in page
    client.post(f"/instructor/classes/{school.class_id}/students/{school.bob}/readd")
    page = client.get(f"/instructor/classes/{school.class_id}/settings").data.decode()
    assert "Bob" in page[page.index('id="roster"'):] and "Undo: add Bob back" not in page


def test_undo_join_code_and_confirmations(client: FlaskClient, school: School) -> None:
    log_in(client, "teacher@example.com", PASSWORD)
    base = f"/instructor/classes/{school.class_id}"
    page = client.get(f"{base}/settings").data.decode()
    assert page.count("data-confirm=") == 2 + 3  # new code, archive, and one remove per student (Ann, Bob, Cat)
    client.post(f"{base}/code")
    assert _code(client, school.class_id) != "SPRING"
    assert "Undo: bring back the code SPRING" in client.get(f"{base}/settings").data.decode()
    client.post(f"{base}/code/restore")
    assert _code(client, school.class_id) == "SPRING"


def test_readd_only_the_student_you_removed(client: FlaskClient, school: School) -> None:
    log_in(client, "teacher@example.com", PASSWORD)
    base = f"/instructor/classes/{school.class_id}"
    client.post(f"{base}/students/{school.outsider}/readd")  # never removed from here
    page = client.get(f"{base}/settings").data.decode()
    assert "Outsider" not in page


def test_create_error_keeps_the_classes_list(reader: FlaskClient, shared_school: School) -> None:
    log_in(reader, "teacher@example.com", PASSWORD)
    bad = reader.post("/instructor/classes/new", data={"name": "", "desired_retention": "90", "daily_new_limit": "20",
                                                       "modules": ["endangerment-sites"], "timezone": "UTC"})
    assert bad.status_code == 400
    assert b"Spring cohort" in bad.data and b"Give the class a name." in bad.data


def test_instructor_lands_on_classes_and_nav_has_no_student_classes(reader: FlaskClient, shared_school: School) -> None:
    response = reader.post("/login", data={"email": "teacher@example.com", "password": PASSWORD})
    assert response.headers["Location"].endswith("/instructor/")
    page = reader.get("/instructor/").data.decode()
    assert ">My classes<" in page and ">Classes<" not in page


def _code(client: FlaskClient, class_id: int) -> str:
    page = client.get(f"/instructor/classes/{class_id}/settings").data.decode()
    marker = 'class="join-code">'
    start = page.index(marker) + len(marker)
    return page[start:page.index("<", start)]


@pytest.mark.parametrize("kind", ["progress", "items", "unsafe"])
def test_csv_exports(reader: FlaskClient, shared_school: School, kind: str) -> None:
    log_in(reader, "teacher@example.com", PASSWORD)
    response = reader.get(f"/instructor/classes/{shared_school.class_id}/export/{kind}.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8"))))
    if kind == "progress":
        assert rows[0][:5] == ["student", "email", "status", "reasons", "last_active"]
        assert sorted(row[0] for row in rows[1:]) == ["Ann", "Bob", "Cat"]
    elif kind == "unsafe":
        assert rows[0][:7] == ["student", "email", "item_id", "question", "option_id", "option", "picked_at"]
        assert [row[:3] for row in rows[1:]] == [["Bob", "bob@example.com", "q1"]]
    else:
        assert rows[0][:3] == ["item_id", "module", "type"]
        items = [row[0] for row in rows[1:]]
        bank = reader.application.extensions["bank"]
        assert sorted(items) == sorted(q.id for q in bank.questions)  # one row per item of the course's modules
