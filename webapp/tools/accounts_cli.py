"""Web-app commands of `massage-course`: accounts that the sign-up form cannot make."""

from __future__ import annotations

import click

from webapp import create_app
from webapp.accounts.auth.accounts import AccountError, create_user
from webapp.platform.db import get_session
from webapp.platform.migrate import upgrade


@click.command("create-instructor")
@click.option("--email", required=True, help="The instructor's email (their login).")
@click.option("--name", required=True, help="The name students see.")
@click.password_option("--password", help="Asked for when not given (recommended).")
def create_instructor_command(email: str, name: str, password: str) -> None:
    """Create an instructor account (asks for the password)."""
    app = create_app()
    upgrade(app.config["DATABASE_URL"])
    with app.app_context():
        session = get_session()
        try:
            user = create_user(session, email=email, display_name=name, password=password, role="instructor")
        except AccountError as error:
            raise click.ClickException(str(error)) from error
        session.commit()
        click.echo(f"Instructor {user.display_name} <{user.email}> created. Log in at /login.")
