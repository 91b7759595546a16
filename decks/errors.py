"""The one exception the decks package raises; the CLI turns it into a message."""

from __future__ import annotations


class DecksError(Exception):
    """A package cannot be built from this bank or selection (the message says why)."""
