"""After a form error, focus lands on the first field in error (autofocus: browsers focus the first)."""

from __future__ import annotations

import re

from flask.testing import FlaskClient


def test_signup_error_focuses_the_first_error(client: FlaskClient) -> None:
    html = client.post("/signup", data={"email": "", "display_name": "Ada", "password": "x"}).get_data(as_text=True)
    fields = re.findall(r"<input[^>]*>", html)
    focused = [f for f in fields if "autofocus" in f]
    assert focused and 'name="email"' in focused[0] and 'aria-invalid="true"' in focused[0]
