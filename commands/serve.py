"""`massage-course serve`: migrate the database, load the course, start the server."""

from __future__ import annotations

import click


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int, help="Worker threads of the WSGI server.")
def serve_command(host: str, port: int, threads: int) -> None:
    """Create or migrate the database, validate the course and serve the app."""
    from decks.package import build_package
    from webapp import create_app
    from webapp.migrate import upgrade
    from webapp.synthetic.demo import ensure_demo

    # webapp may not import decks: the builder is handed in here, at the top layer.
    # A content or bank error propagates to the command group, which prints it.
    app = create_app({"DECK_BUILDER": build_package})
    upgrade(app.config["DATABASE_URL"])
    demo_logins = ensure_demo(app)
    if demo_logins:
        click.echo("Demo logins (demo data; switch off with DEMO_DATA=0):")
        click.echo("\n".join(demo_logins))
    from waitress import serve

    click.echo(f"Massage Safety Course is running at http://{host}:{port}/  (Ctrl+C to stop)")
    # waitress: a production-grade pure-Python WSGI server, so `make run` serves
    # the same way a small deployment would.
    serve(app, host=host, port=port, threads=threads, ident="massage-course")
