"""The base of every form: Flask-WTF's CSRF protection, and no control characters in typed text.

A NUL byte in a name is refused by PostgreSQL (a 500) and stored as-is by
SQLite; other control characters only ever arrive from a forged request or a
paste gone wrong. `NoControlCharacters` is the one rule, and `Form` applies it
to every text field of every form, so a new field is covered without anyone
remembering to add it. Tabs and line breaks stay allowed: they are text.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field, SelectMultipleField, widgets
from wtforms.validators import ValidationError

ALLOWED_CONTROLS = frozenset("\t\n\r")
MESSAGE = "Remove the invisible control characters from this field."


def control_character_problem(text: str) -> str | None:
    """A message when `text` holds a control character (Unicode category Cc, other than tab and line breaks)."""
    for char in text:
        if char not in ALLOWED_CONTROLS and unicodedata.category(char) in ("Cc", "Cs"):
            return MESSAGE
    return None


class NoControlCharacters:
    """WTForms validator: `control_character_problem` on the field's text (and each text of a list field)."""

    def __call__(self, _form: Any, field: Field) -> None:
        for text in _texts(field):
            problem = control_character_problem(text)
            if problem:
                raise ValidationError(problem)


def _texts(field: Field) -> list[str]:
    # Check what was sent as well as what the field parsed, so a filter or a
    # coercion cannot hide a NUL that reached the server.
    values: list[Any] = list(field.raw_data or []) + [field.data]
    texts: list[str] = []
    for value in values:
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, (list, tuple)):
            texts.extend(item for item in value if isinstance(item, str))
    return texts


class Form(FlaskForm):
    """FlaskForm whose every field also refuses control characters (`NoControlCharacters`)."""

    def validate(self, extra_validators: Any = None) -> bool:
        """Validate as FlaskForm does, then refuse control characters in any field, with a field error."""
        check = NoControlCharacters()
        extra: dict[str, list[Any]] = {name: list(validators) for name, validators in (extra_validators or {}).items()}
        for name in self._fields:
            extra.setdefault(name, []).append(check)
        return bool(super().validate(extra_validators=extra))


class CheckboxList(SelectMultipleField):
    """Multiple choice shown as a list of checkboxes (one per module)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ActionForm(Form):
    """An empty form: CSRF protection for one-click POST actions."""
