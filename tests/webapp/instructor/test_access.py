"""Who reaches /instructor: instructors, and only for their own classes."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.webapp.instructor.helpers import PASSWORD, School


def login(client: FlaskClient, email: str) -> None:
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.data


def class_pages(school: School, class_id: int | None = None) -> list[str]:
    cid = school.class_id if class_id is None else class_id
    base = f"/instructor/classes/{cid}"
    return [base, f"{base}/items", f"{base}/settings", f"{base}/students/{school.ann}",
            f"{base}/export/progress.csv", f"{base}/export/items.csv"]


def test_anonymous_is_sent_to_login(client: FlaskClient, school: School) -> None:
    for url in ["/instructor/", *class_pages(school)]:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_student_gets_403_everywhere(client: FlaskClient, school: School) -> None:
    login(client, "ann@example.com")
    for url in ["/instructor/", *class_pages(school)]:
        assert client.get(url).status_code == 403, url
    assert client.post(f"/instructor/classes/{school.class_id}/code").status_code == 403


def test_other_instructors_class_is_404(client: FlaskClient, school: School) -> None:
    login(client, "other@example.com")
    for url in class_pages(school):
        assert client.get(url).status_code == 404, url
    for action in ("code", "archive", f"students/{school.ann}/remove"):
        assert client.post(f"/instructor/classes/{school.class_id}/{action}").status_code == 404, action


def test_own_class_pages_answer(client: FlaskClient, school: School) -> None:
    login(client, "teacher@example.com")
    for url in ["/instructor/", *class_pages(school)]:
        response = client.get(url)
        assert response.status_code == 200, url
    assert b"Spring cohort" in client.get("/instructor/").data
    assert b"Other class" not in client.get("/instructor/").data


def test_student_of_another_class_is_404_on_student_page(client: FlaskClient, school: School) -> None:
    login(client, "teacher@example.com")
    url = f"/instructor/classes/{school.class_id}/students/{school.outsider}"
    assert client.get(url).status_code == 404


def test_create_edit_regenerate_archive_and_remove(client: FlaskClient, app: Flask, school: School) -> None:
    login(client, "teacher@example.com")
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
    roster = client.get(f"/instructor/classes/{school.class_id}/settings").data
    assert b"Bob" not in roster and b"Ann" in roster


def _code(client: FlaskClient, class_id: int) -> str:
    page = client.get(f"/instructor/classes/{class_id}/settings").data.decode()
    marker = 'class="join-code">'
    start = page.index(marker) + len(marker)
    return page[start:page.index("<", start)]


@pytest.mark.parametrize("kind", ["progress", "items"])
def test_csv_exports(client: FlaskClient, school: School, kind: str) -> None:
    login(client, "teacher@example.com")
    response = client.get(f"/instructor/classes/{school.class_id}/export/{kind}.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    lines = response.data.decode("utf-8").splitlines()
    if kind == "progress":
        assert lines[0].startswith("student,email,last_active_utc")
        assert sorted(line.split(",")[0] for line in lines[1:]) == ["Ann", "Bob", "Cat"]
    else:
        assert lines[0].startswith("item_id,module,type")
        assert len(lines) > 200  # one row per item of the course's modules
