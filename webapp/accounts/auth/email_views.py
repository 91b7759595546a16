"""Account pages reached by email: check your inbox, confirm the address, forgot password, choose a new one.

A link's page never acts on GET (mail scanners open links); a button POSTs,
CSRF-checked like every form. Forgot-password answers the same for every
address, and both it and sign-up are limited per typed address and per client.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app, flash, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, logout_user

from webapp.accounts.auth import bp, email_links, messages
from webapp.accounts.auth.forms import ForgotForm, ResumeForm
from webapp.accounts.auth.sessions import start_session
from webapp.accounts.auth.views import safe_next, user_by_email
from webapp.accounts.profile.credentials import replace_password
from webapp.accounts.profile.forms import ResetPasswordForm
from webapp.platform.db import get_session
from webapp.platform.extensions import limiter
from webapp.platform.models import utcnow

SENT_RESET = ("If {email} belongs to an account here, we sent it a link to choose a new password. "
              "It works once, for {minutes} minutes.")


def typed_email_key() -> str:
    """Flask-Limiter key: the address typed in the form (per address, known or not, so it reveals nothing)."""
    return "email:" + (request.form.get("email") or "").strip().lower()[:254]


def _per_email() -> str:
    return str(current_app.config["EMAIL_LIMIT_PER_EMAIL"])


def _per_address() -> str:
    return str(current_app.config["EMAIL_LIMIT_PER_ADDRESS"])


def _link_page(template: str, status: int, **context: object) -> ResponseReturnValue:
    # The token is in the address: no caching, and no Referer carrying it off.
    response = make_response(render_template(template, **context), status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/signup/sent")
def check_email() -> ResponseReturnValue:
    """After sign-up: look in your inbox (the same page for a new and a known address)."""
    return render_template("auth/check_email.html")


@bp.route("/verify/<token>", methods=["GET", "POST"])
@limiter.limit(_per_address, methods=["POST"])
def verify(token: str) -> ResponseReturnValue:
    """Confirm the address with the emailed link; the button signs the learner in and opens their first question."""
    session, now = get_session(), utcnow()
    found = email_links.pending(session, token, "verify", now)
    if found is None:
        return _link_page("auth/link_used.html", 404, kind="verify")
    form = ResumeForm()
    if form.validate_on_submit():
        spent = email_links.spend(session, token, "verify", now)
        if spent is None:
            return _link_page("auth/link_used.html", 404, kind="verify")
        user, link = spent
        if link.email.lower() == user.email.lower():
            user.email_verified_at = now
        session.commit()
        start_session(user)
        flash("Your email is confirmed and you are logged in. Here is your first question.", "success")
        return redirect(safe_next(request.args.get("next")))
    return _link_page("auth/verify.html", 200, form=form, user=found[0])


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(_per_email, key_func=typed_email_key, methods=["POST"])
@limiter.limit(_per_address, methods=["POST"])
def forgot() -> ResponseReturnValue:
    """Ask for a password reset link; the same answer whether or not the address has an account."""
    form = ForgotForm()
    if form.validate_on_submit():
        email, now, session = form.email.data or "", utcnow(), get_session()
        user = user_by_email(email)
        minutes = int(current_app.config["EMAIL_RESET_MINUTES"])
        if user is not None and user.deleted_at is None:
            lifetime = dt.timedelta(minutes=minutes)
            token = email_links.issue(session, user, "reset", user.email, now, lifetime)
            session.commit()
            messages.reset_link(user, token, now + lifetime)
        flash(SENT_RESET.format(email=email, minutes=minutes), "success")
        return redirect(url_for("auth.check_email"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/forgot.html", form=form), status


@bp.route("/recover/<token>", methods=["GET", "POST"])
@limiter.limit(_per_address, methods=["POST"])
def recover(token: str) -> ResponseReturnValue:
    """Choose a new password with the emailed link: every session ends, and this browser is signed in afresh."""
    session, now = get_session(), utcnow()
    found = email_links.pending(session, token, "reset", now)
    if found is None:
        return _link_page("auth/link_used.html", 404, kind="reset")
    user = found[0]
    form = ResetPasswordForm()
    form.account_email, form.account_name = user.email, user.display_name  # for the password policy
    if form.validate_on_submit():
        spent = email_links.spend(session, token, "reset", now)
        if spent is None:
            return _link_page("auth/link_used.html", 404, kind="reset")
        user = spent[0]
        replace_password(user, form.new_password.data or "")
        user.email_verified_at = user.email_verified_at or now  # the link proved the address
        session.commit()
        if current_user.is_authenticated:
            logout_user()
        start_session(user)
        flash("Your new password is set, and every other session has ended.", "success")
        return redirect(safe_next(None))
    status = 400 if form.is_submitted() else 200
    return _link_page("auth/recover.html", status, form=form, user=user)

