"""`/account/email`: move the account to a new address, confirmed by a link sent to that address.

The old address keeps working until the new one confirms; the old one is told of
the request. Requests are limited per account (EMAIL_LIMIT_PER_ACCOUNT).
"""

from __future__ import annotations

import datetime as dt

from flask import current_app, flash, make_response, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from webapp.accounts.auth import email_links, messages
from webapp.accounts.auth.forms import ResumeForm
from webapp.accounts.auth.passwords import verify_password
from webapp.accounts.profile import bp
from webapp.accounts.profile.forms import ChangeEmailForm
from webapp.platform.db import get_session
from webapp.platform.extensions import limiter
from webapp.platform.models import User, utcnow

TAKEN = "That address cannot be used for this account. Choose another one."


def _account_key() -> str:
    return f"email-change:{current_user.id if current_user.is_authenticated else 'anonymous'}"


def address_taken(email: str, user_id: int) -> bool:
    """True when another account already uses `email` (any case)."""
    return get_session().scalar(
        select(User.id).where(func.lower(User.email) == email.lower(), User.id != user_id)) is not None


@bp.post("/email")
@login_required
@limiter.limit(lambda: str(current_app.config["EMAIL_LIMIT_PER_ACCOUNT"]), key_func=_account_key)
def change_email() -> ResponseReturnValue:
    """Send a confirmation link to the new address (the password proves it is the owner asking)."""
    from webapp.accounts.profile.views import _me, _page

    user = _me()
    form = ChangeEmailForm()
    if form.validate_on_submit():
        new_email = form.new_email.data or ""
        if not verify_password(user.password_hash, form.password.data or ""):
            form.password.errors = ["That is not your current password."]
        elif new_email == user.email.lower():
            form.new_email.errors = ["That is already your address."]
        else:
            session, now = get_session(), utcnow()
            # A taken address gets no link, but the answer is the same: the form must not reveal who studies here.
            if not address_taken(new_email, user.id):
                lifetime = dt.timedelta(hours=float(current_app.config["EMAIL_VERIFY_HOURS"]))
                token = email_links.issue(session, user, "change", new_email, now, lifetime)
                session.commit()
                messages.confirm_new_address(user, new_email, token, now + lifetime)
            flash(f"We sent a link to {new_email}. Your address changes when you follow it; until then, "
                  "log in with your current one.", "success")
            return redirect(url_for("account.index"))
    return _page(email_form=form, status=400)


@bp.route("/email/<token>", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def confirm_email(token: str) -> ResponseReturnValue:
    """Confirm the new address with the link sent to it (a button: mail scanners open links)."""
    session, now = get_session(), utcnow()
    found = email_links.pending(session, token, "change", now)
    if found is None:
        return _page_for("auth/link_used.html", 404, kind="change")
    form = ResumeForm()
    if form.validate_on_submit():
        spent = email_links.spend(session, token, "change", now)
        if spent is None:
            return _page_for("auth/link_used.html", 404, kind="change")
        user, link = spent
        if address_taken(link.email, user.id):
            session.rollback()
            flash(TAKEN, "warning")
            return redirect(url_for("home.index"))
        user.email, user.email_verified_at = link.email, now
        try:
            session.commit()
        except IntegrityError:  # taken a moment ago
            session.rollback()
            flash(TAKEN, "warning")
            return redirect(url_for("home.index"))
        flash(f"Your email is now {link.email}. Log in with it from now on.", "success")
        return redirect(url_for("account.index") if current_user.is_authenticated else url_for("auth.login"))
    return _page_for("account/confirm_email.html", 200, form=form, new_email=found[1].email, user=found[0])


def _page_for(template: str, status: int, **context: object) -> ResponseReturnValue:
    response = make_response(render_template(template, **context), status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
