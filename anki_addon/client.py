"""The add-on's HTTP client: JSON over urllib to the course's `/api/v1/anki/` routes, with the learner's token.

Only the standard library, so the add-on needs nothing Anki does not ship. Every
failure becomes a `SyncError` whose message a learner can act on.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

API_PATH = "/api/v1/anki/"
TIMEOUT_SECONDS = 60.0


class SyncError(Exception):
    """The sync could not go on; the message says why, for the learner."""


class ApiClient:
    """Calls the course server as the learner whose personal token it holds."""

    def __init__(self, server_url: str, token: str, timeout: float = TIMEOUT_SECONDS) -> None:
        """Check the settings: an http(s) address and a token, as pasted from the account page."""
        server_url, token = server_url.strip().rstrip("/"), token.strip()
        parts = urllib.parse.urlsplit(server_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise SyncError("Set the course's address in the add-on's settings, e.g. https://course.example.org")
        if not token:
            raise SyncError("Paste your personal token into the add-on's settings (make one on your account page).")
        self.base, self.token, self.timeout = server_url + API_PATH, token, timeout

    def get(self, path: str, **query: str | int) -> Any:
        """GET `path` (relative to the API) with `query`; the parsed JSON reply."""
        url = self.base + path + ("?" + urllib.parse.urlencode(query) if query else "")
        return self._send(urllib.request.Request(url, method="GET"))

    def post(self, path: str, body: Any) -> Any:
        """POST `body` as JSON to `path`; the parsed JSON reply."""
        data = json.dumps(body, separators=(",", ":")).encode()
        request = urllib.request.Request(self.base + path, data=data, method="POST",
                                         headers={"Content-Type": "application/json"})
        return self._send(request)

    def _send(self, request: urllib.request.Request) -> Any:
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("Accept", "application/json")
        try:
            # The address is the learner's own setting, checked to be http(s) above.
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # nosec B310
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            raise SyncError(_server_message(error)) from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise SyncError(f"Could not reach the course at {self.base}: {reason}") from None
        except ValueError:
            raise SyncError("The course server's answer was not understood. Is the address right?") from None


def _server_message(error: urllib.error.HTTPError) -> str:
    """The server's own message for a refused request, or one from its status."""
    try:
        message = json.loads(error.read().decode("utf-8")).get("error")
    except (ValueError, AttributeError, OSError):
        message = None
    if isinstance(message, str) and message:
        return message
    return f"The course server refused the request ({error.code}). Is the address right?"
