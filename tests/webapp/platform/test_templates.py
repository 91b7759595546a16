"""The process's compiled templates: a second app reuses them; an edited template is compiled again."""

from __future__ import annotations

from typing import Any

import pytest
from jinja2 import DictLoader, Environment

from webapp.platform.templates import ProcessBytecodeCache


def _environment(cache: ProcessBytecodeCache, source: str) -> Environment:
    return Environment(loader=DictLoader({"page.html": source}), bytecode_cache=cache, autoescape=True)


def test_a_second_environment_loads_the_compiled_template_and_an_edit_is_compiled_again(
        monkeypatch: pytest.MonkeyPatch) -> None:
    cache = ProcessBytecodeCache()
    assert _environment(cache, "Hello {{ name }}").get_template("page.html").render(name="<Sam>") == "Hello &lt;Sam&gt;"

    second = _environment(cache, "Hello {{ name }}")
    compiled: list[Any] = []
    original = second.compile
    monkeypatch.setattr(second, "compile", lambda *args, **kwargs: compiled.append(args) or original(*args, **kwargs))
    assert second.get_template("page.html").render(name="Kim") == "Hello Kim"
    assert compiled == [], "the second environment compiled the template again"

    edited = _environment(cache, "Goodbye {{ name }}")
    assert edited.get_template("page.html").render(name="Kim") == "Goodbye Kim"


def test_every_app_shares_the_process_cache(make_app: Any, app_config: dict[str, Any]) -> None:
    first, second = make_app(app_config), make_app(app_config)
    assert first.jinja_env.bytecode_cache is second.jinja_env.bytecode_cache is not None
    assert first.test_client().get("/login").status_code == second.test_client().get("/login").status_code == 200
