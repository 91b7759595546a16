"""Study in Anki, count for the class: upload an Anki export, its answers join the learner's history.

`package` opens an upload safely and reads our notes' revlog, `counting` decides
which entries are answers as Anki's FSRS does, `guards` refuses what no real
history holds, `history` stores the answers once each and replays the items'
memory states (`plan_import` is the one way in), `jobs` runs an
upload in the background with its progress in the database, `views` are the
upload form (a panel on /progress) and the job's page. `api` is the course
add-on's JSON API (`/api/v1/anki/...`, personal tokens), `pushes` what it imports.
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("ankisync", __name__)

def init_app(app: Flask) -> None:
    """Register the blueprint, its config defaults and the progress page's panel helper."""
    from webapp.ankisync import api, views
    from webapp.ankisync.counting import SKIPPED_LABELS
    from webapp.ankisync.guards import REFUSED_LABELS

    app.context_processor(lambda: {"anki_panel": views.panel})
    app.jinja_env.globals["anki_labels"] = {"skipped": SKIPPED_LABELS, "refused": REFUSED_LABELS}
    app.register_blueprint(bp)
    api.init_app(app)
