"""Compiled templates kept once per process, shared by every app the process makes.

Jinja compiles each template on its first use in an app's environment. One app per process
(a server worker) compiles each template once either way; a process that makes many apps (the
test suite makes one per test, the CLI one per command) would compile every page again for each.
Jinja's bytecode cache keys a compiled template by its name and checks its source's checksum on
load, so an edited template is compiled afresh, never served stale.
"""

from __future__ import annotations

from flask import Flask
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket


class ProcessBytecodeCache(BytecodeCache):
    """Jinja's compiled templates in this process's memory."""

    def __init__(self) -> None:
        self._compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        """Fill `bucket` from memory, if this template was compiled before (Jinja checks the checksum)."""
        code = self._compiled.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Keep a freshly compiled template."""
        self._compiled[bucket.key] = bucket.bytecode_to_string()

    def clear(self) -> None:
        """Forget every compiled template."""
        self._compiled.clear()


COMPILED = ProcessBytecodeCache()


def init_app(app: Flask) -> None:
    """Give the app's template environment the process's compiled templates (before anything creates it)."""
    app.jinja_options = {**app.jinja_options, "bytecode_cache": COMPILED}
