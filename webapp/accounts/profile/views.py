"""`/account`: change password, download my data, tokens for the Anki add-on, delete my account; `/account/reset/<token>`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from flask import Response, current_app, flash, make_response, redirect, render_template, url_for
from flask import session as cookie
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, logout_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session, sessionmaker

from webapp.accounts.auth.passwords import verify_password
from webapp.accounts.auth.sessions import start_session
from webapp.accounts.profile import bp
from webapp.accounts.profile.credentials import replace_password
from webapp.accounts.profile.deletion import DeletionError, delete_account, deletion_mode
from webapp.accounts.profile.export import export_chunks
from webapp.accounts.profile.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    DeleteAccountForm,
    NewTokenForm,
    ResetPasswordForm,
    RevokeTokenForm,
)
from webapp.accounts.profile.resets import ResetError, pending_reset, use_reset
from webapp.accounts.profile.tokens import TokenError, active_tokens, issue_token, revoke_token
from webapp.platform.db import get_session
from webapp.platform.extensions import limiter
from webapp.platform.models import User, utcnow

# Both forms check a password, so they are limited like log-in (POST only).
PASSWORD_LIMIT = "10 per minute"


def _me() -> User:
    # The row itself, not the `current_user` proxy: `start_session` hands this to
    # login_user, and a proxy stored as the request's user resolves to itself forever
    # (the request log's read of its id recursed: every password change answered 500).
    user: User = current_user._get_current_object()
    return user


# Making a token is cheap, but each is a credential: a person needs a few, a script more.
TOKEN_LIMIT = "10 per hour"


def _page(password_form: FlaskForm | None = None, delete_form: FlaskForm | None = None,
          token_form: FlaskForm | None = None, new_token: str | None = None, status: int = 200,
          email_form: FlaskForm | None = None) -> ResponseReturnValue:
    response = make_response(render_template(
        "account/index.html", password_form=password_form or ChangePasswordForm(),
        delete_form=delete_form or DeleteAccountForm(), email_form=email_form or ChangeEmailForm(),
        deletion=deletion_mode(current_app.config["ACCOUNT_DELETION"]),
        token_form=token_form or NewTokenForm(formdata=None), revoke_form=RevokeTokenForm(),
        tokens=active_tokens(get_session(), current_user.id), new_token=new_token,
    ), status)
    if new_token is not None:  # the one page that shows it: kept out of every cache and the history's copies
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
@login_required
def index() -> ResponseReturnValue:
    """My account: change password, download my data, delete my account."""
    return _page()


@bp.post("/password")
@login_required
@limiter.limit(PASSWORD_LIMIT)
def change_password() -> ResponseReturnValue:
    """Change my password; every other session ends, this one goes on in a fresh session."""
    user = _me()
    form = ChangePasswordForm()
    form.account_email, form.account_name = user.email, user.display_name  # for the password policy
    if form.validate_on_submit():
        if verify_password(user.password_hash, form.current_password.data or ""):
            replace_password(user, form.new_password.data or "")
            get_session().commit()
            start_session(user)
            flash("Password changed. You have been logged out everywhere else.", "success")
            return redirect(url_for("account.index"))
        form.current_password.errors = ["That is not your current password."]
    return _page(password_form=form, status=400)


def _token_maker_key() -> str:
    # Per account, as the export's: a classroom behind one address must not share one allowance.
    return f"tokens:{current_user.id if current_user.is_authenticated else 'anonymous'}"


@bp.post("/tokens")
@login_required
@limiter.limit(TOKEN_LIMIT, key_func=_token_maker_key)
def new_token() -> ResponseReturnValue:
    """Make a personal token for the Anki add-on and show it, this once."""
    if _me().is_instructor:
        return _page(status=403)  # the page says why: the add-on syncs a learner's own study
    form = NewTokenForm()
    if form.validate_on_submit():
        try:
            token = issue_token(get_session(), _me(), form.label.data or "", utcnow(),
                                int(current_app.config["SYNC_TOKENS_PER_USER"]))
        except TokenError as error:
            form.label.errors = [str(error)]
        else:
            return _page(new_token=token)
    return _page(token_form=form, status=400)


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int) -> ResponseReturnValue:
    """Revoke one of my tokens: the add-on holding it stops syncing at once."""
    form = RevokeTokenForm()
    if not form.validate_on_submit():
        flash("This form has expired. Please reload the page and try again.", "error")
    elif revoke_token(get_session(), current_user.id, token_id, utcnow()):
        flash("Token revoked. The add-on that used it can no longer sync.", "success")
    else:
        flash("That token was already revoked.", "info")
    return redirect(url_for("account.index") + "#tokens-heading")


def _learner_key() -> str:
    # Per account, not per address: a school's shared address must not share one learner's allowance.
    return f"export:{current_user.id if current_user.is_authenticated else 'anonymous'}"


@bp.get("/export.json")
@login_required
@limiter.limit(lambda: str(current_app.config["ACCOUNT_EXPORT_LIMIT"]), key_func=_learner_key)
def export() -> ResponseReturnValue:
    """Download everything the app holds about me, as JSON streamed a chunk of answers at a time."""
    now = utcnow()
    response = Response(_stream(current_app.extensions["db_read_sessionmaker"], _me().id, now),
                        mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="massage-course-{now:%Y%m%d}.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _stream(factory: sessionmaker[Session], user_id: int, now: dt.datetime) -> Iterator[str]:
    # Its own session, closed when the body ends or the client goes: the request's session (and its app
    # context) is torn down when the view returns, before the body is sent.
    with factory() as session:
        user = session.get(User, user_id)
        if user is not None:
            yield from export_chunks(session, user, now)


@bp.post("/delete")
@login_required
@limiter.limit(PASSWORD_LIMIT)
def delete() -> ResponseReturnValue:
    """Delete my account after my password confirms it."""
    form = DeleteAccountForm()
    user = _me()
    if form.validate_on_submit():
        if not verify_password(user.password_hash, form.password.data or ""):
            form.password.errors = ["That is not your password. Nothing was deleted."]
        else:
            try:
                delete_account(get_session(), user, current_app.config["ACCOUNT_DELETION"], utcnow())
            except DeletionError as error:
                form.password.errors = [str(error)]
            else:
                logout_user()
                cookie.clear()
                flash("Your account has been deleted.", "info")
                return redirect(url_for("home.index"))
    return _page(delete_form=form, status=400)


def _reset_page(status: int, **context: object) -> ResponseReturnValue:
    # The token is in the address: no caching, and no Referer carrying it off.
    response = make_response(render_template("account/reset.html", **context), status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(PASSWORD_LIMIT, methods=["POST"])
def reset(token: str) -> ResponseReturnValue:
    """Choose a new password with an instructor's one-time link."""
    session, now = get_session(), utcnow()
    student = pending_reset(session, token, now)
    if student is None:
        return _reset_page(404, form=None)
    form = ResetPasswordForm()
    form.account_email, form.account_name = student.email, student.display_name  # for the password policy
    if form.validate_on_submit():
        try:
            use_reset(session, token, form.new_password.data or "", now)
        except ResetError:
            return _reset_page(404, form=None)
        if current_user.is_authenticated:
            logout_user()
        flash("Your new password is set, and any old sessions have ended. Log in with it now.", "success")
        return redirect(url_for("auth.login"))
    status = 400 if form.is_submitted() else 200
    return _reset_page(status, form=form, student=student)
