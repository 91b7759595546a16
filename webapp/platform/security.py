"""Security settings every response shares: headers, cookies over HTTPS, the proxy, bounded ids.

One after-request hook sets the headers on every response, pages, error
pages and static files alike, so no view has to remember them:

- a Content-Security-Policy that runs only this site's script files (no
  inline script, no eval) and styles from this site, plus `<style>` blocks
  that carry the request's nonce (`csp_nonce()` in templates) and the body
  map's own `<style>`, admitted by its hash (the SVG is inlined as it is);
- `X-Content-Type-Options: nosniff`, a same-origin Referrer-Policy, no framing;
- `Cache-Control: no-store` on everything but static files and the public
  decks, so a learner's pages, exports and class decks never sit in a shared
  or back-button cache;
- HSTS, and `Secure`, `__Host-` cookies, when PREFERRED_URL_SCHEME is https.

Behind a reverse proxy set PROXY_COUNT to the number of proxies in front of
the app: ProxyFix then trusts that many X-Forwarded-* hops (scheme, host and
client address, which the log-in limits key on). With the default 0 those
headers are ignored, so a client cannot forge its address.

Ids in URLs: the app's `int` converter is replaced by `BoundedInt`, which
accepts 1 to 2**31-1 (PostgreSQL's integer) and gives 404 beyond, so no route
with an id hands the database a number it cannot hold. It is registered
before any blueprint, so every `<int:…>` route uses it.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import re
import secrets
from typing import Any

from flask import Flask, current_app, g, request
from flask.wrappers import Response
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map

MAX_ID = 2**31 - 1
HSTS = "max-age=31536000; includeSubDomains"
# Responses whose caching is the view's own business: they hold nothing personal.
PUBLIC_ENDPOINTS = frozenset({"static", "downloads.download"})


class BoundedInt(IntegerConverter):
    """`<int:name>` limited to the ids a database row can have (1 to 2**31-1); anything else is a 404."""

    def __init__(self, url_map: Map, fixed_digits: int = 0, min: int | None = 1, max: int | None = MAX_ID,
                 signed: bool = False) -> None:
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def csp_nonce() -> str:
    """This request's nonce for inline `<style>` blocks (made on first use)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    nonce: str = g.csp_nonce
    return nonce


@functools.cache
def trusted_style_hashes() -> str:
    """CSP hash sources of the `<style>` blocks inside the body-map SVG (our own, constant markup)."""
    from quizzes.bodymap import body_map_svg

    blocks = set(re.findall(r"<style>(.*?)</style>", body_map_svg(), re.S))
    blocks |= set(re.findall(r"<style>(.*?)</style>", body_map_svg(interactive=True), re.S))
    # The browser hashes the element's text as parsed, so entities are decoded first.
    digests = sorted(base64.b64encode(hashlib.sha256(html.unescape(b).encode()).digest()).decode() for b in blocks)
    return " ".join(f"'sha256-{digest}'" for digest in digests)


def content_security_policy(style_nonce: str | None) -> str:
    """The CSP header value; `style_nonce` admits the page's nonce-carrying `<style>` blocks."""
    styles = " ".join(filter(None, ("'self'", trusted_style_hashes(), f"'nonce-{style_nonce}'" if style_nonce else "")))
    return "; ".join((
        "default-src 'self'",
        "script-src 'self'",
        f"style-src {styles}",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ))


def _headers(response: Response) -> Response:
    headers = response.headers
    headers["Content-Security-Policy"] = content_security_policy(g.get("csp_nonce"))
    headers["X-Content-Type-Options"] = "nosniff"
    # A view may be stricter (a reset link's page sends no referrer at all).
    headers.setdefault("Referrer-Policy", "same-origin")
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if request.endpoint not in PUBLIC_ENDPOINTS:
        # Kept beside what the view said (a class deck is also "private").
        private = response.cache_control.private
        headers["Cache-Control"] = "private, no-store" if private else "no-store"
        headers.pop("Expires", None)
    if request.scheme == "https" or current_app.config.get("PREFERRED_URL_SCHEME") == "https":
        headers["Strict-Transport-Security"] = HSTS
    return response


def secure_cookie_config(config: dict[str, Any]) -> None:
    """Over HTTPS: session cookie `__Host-session`, Secure (the `__Host-` prefix requires Secure, path /, no domain)."""
    if config.get("PREFERRED_URL_SCHEME") != "https":
        return
    config["SESSION_COOKIE_SECURE"] = True
    config["REMEMBER_COOKIE_SECURE"] = True
    config["SESSION_COOKIE_DOMAIN"] = None
    config["SESSION_COOKIE_PATH"] = "/"
    if not str(config.get("SESSION_COOKIE_NAME", "session")).startswith("__Host-"):
        config["SESSION_COOKIE_NAME"] = "__Host-session"


def init_app(app: Flask) -> None:
    """Bounded ids in URLs, the proxy setting, HTTPS cookies and the headers hook."""
    app.url_map.converters["int"] = BoundedInt
    secure_cookie_config(app.config)
    proxies = int(app.config.get("PROXY_COUNT") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies, x_prefix=proxies
        )
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(_headers)
