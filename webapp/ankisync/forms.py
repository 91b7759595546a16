"""The upload form (Flask-WTF: CSRF checked when it validates)."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired

from webapp.platform.forms import Form


class UploadForm(Form):
    """One Anki export: an .apkg with scheduling information, or a .colpkg backup."""

    package = FileField(
        "Anki export (.apkg or .colpkg)",
        validators=[FileRequired("Choose the file you exported from Anki.")],
        render_kw={"accept": ".apkg,.colpkg"},
    )
