"""A password change with production request logging on answers a redirect, not a 500 (issue 27, no. 4).

With REQUEST_LOG on, the log line read the user's id from the request's logged-in
user; `change_password` had logged in the `current_user` proxy itself, which then
resolved to itself, and reading its id recursed: 9 of 9 changes answered 500
although the password had changed.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Callable

import pytest
from flask import Flask

from tests.webapp.helpers import user_id

OLD = "correct horse battery"
NEW = "a different long passphrase"


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_password_change_with_request_log_on(app_config: dict[str, Any], make_app: Callable[..., Flask],
                                             caplog: pytest.LogCaptureFixture, scheme: str) -> None:
    app = make_app({**app_config, "REQUEST_LOG": True, "PREFERRED_URL_SCHEME": scheme})
    client = app.test_client()
    base = f"{scheme}://localhost"
    client.post(f"{base}/signup", data={"email": "ada@example.com", "display_name": "Ada", "password": OLD})
    assert client.post(f"{base}/login", data={"email": "ada@example.com", "password": OLD}).status_code == 302
    with caplog.at_level(logging.INFO, logger="webapp.requests"):
        for n, (current, new) in enumerate([(OLD, NEW), (NEW, OLD + " again")]):
            response = client.post(f"{base}/account/password",
                                   data={"current_password": current, "new_password": new, "confirm": new})
            assert response.status_code == 302, f"change {n + 1}: {response.status_code}"
            assert client.get(f"{base}/account/").status_code == 200  # this session goes on
    lines = [json.loads(record.getMessage()) for record in caplog.records if record.name == "webapp.requests"]
    changes = [line for line in lines if line["path"] == "/account/password"]
    assert [line["status"] for line in changes] == [302, 302]
    assert {line["user"] for line in changes} == {user_id(app, "ada@example.com")}

