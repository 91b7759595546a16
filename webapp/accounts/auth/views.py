"""Sign up, log in and log out (`/signup`, `/login`, `/logout` POST only)."""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from webapp.accounts.auth import bp, messages
from webapp.accounts.auth.forms import LoginForm, SignupForm
from webapp.accounts.auth.limits import BLOCKED_MESSAGE, LoginGuard, remember_device
from webapp.accounts.auth.passwords import hash_password, needs_rehash, verify_nothing, verify_password
from webapp.accounts.auth.sessions import end_session, start_session
from webapp.platform.clock import valid_zone
from webapp.platform.db import get_session
from webapp.platform.extensions import limiter
from webapp.platform.models import User, utcnow

# Per client address, on POST only: reading the form is never limited. A
# class signing up together from one school address stays well under it.
SIGNUP_LIMIT = "60 per hour"
# The same words whether the email was new or already had an account, so the
# form does not tell a stranger who studies here; the owner learns which by email.
SIGNED_UP = "Thank you. We sent an email to {email}: follow the link in it to start studying."

def safe_next(target: str | None) -> str:
    """`target` when it is a path on this site, else the user's start page (no open redirects).

    The start page is the instructor's classes for an instructor, the study page for everyone else.
    """
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    if getattr(current_user, "is_instructor", False) and "instructor.index" in current_app.view_functions:
        return url_for("instructor.index")
    return url_for("study.index") if "study.index" in current_app.view_functions else url_for("home.index")


def _invite_ok(code: str | None) -> bool:
    expected = current_app.config.get("INSTRUCTOR_INVITE_CODE") or ""
    return bool(expected and code) and hmac.compare_digest(str(code).encode(), expected.encode())


def user_by_email(email: str) -> User | None:
    """The account with `email` (given lower-cased), deleted-and-kept ones included, or None."""
    return get_session().scalar(select(User).where(func.lower(User.email) == email))


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(SIGNUP_LIMIT, methods=["POST"])
@limiter.limit(lambda: str(current_app.config["EMAIL_LIMIT_PER_EMAIL"]), key_func=lambda: "email:" + (
    request.form.get("email") or "").strip().lower()[:254], methods=["POST"])
def signup() -> ResponseReturnValue:
    """Create an account and email its verification link (a known email gets a notice instead; the same answer)."""
    if current_user.is_authenticated:
        return redirect(safe_next(None))
    form = SignupForm()
    invites = bool(current_app.config.get("INSTRUCTOR_INVITE_CODE"))
    if not invites:
        del form.instructor_invite_code
    if form.validate_on_submit():
        session = get_session()
        role = "student"
        if invites and form.instructor_invite_code.data:
            if not _invite_ok(form.instructor_invite_code.data):
                form.instructor_invite_code.errors = ["That invite code is not valid. Leave it empty to sign up as a student."]
                return render_template("auth/signup.html", form=form), 400
            role = "instructor"
        email = form.email.data or ""
        # Hash first, whatever follows, so a known email answers no faster.
        password_hash = hash_password(form.password.data or "")
        known = user_by_email(email)
        if known is None:
            zone = form.timezone.data if valid_zone(form.timezone.data) else None
            user = User(email=form.email.data, display_name=form.display_name.data, role=role,
                        password_hash=password_hash, timezone=zone)
            session.add(user)
            try:
                session.flush()
                messages.send_verification(session, user, utcnow(), request.args.get("next"))
            except IntegrityError:  # the same email signed up a moment ago: answered the same way
                session.rollback()
        elif known.deleted_at is None:
            messages.known_address(known, utcnow())
        flash(SIGNED_UP.format(email=form.email.data), "success")
        return redirect(url_for("auth.check_email"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/signup.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Sign in with email and password; failures are limited per account, device and address (`auth.limits`)."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        email, password = form.email.data or "", form.password.data or ""
        user = user_by_email(email)
        # Counted before the password is checked (atomically with the check), uncounted on success.
        attempt = LoginGuard(email, user.id if user is not None else None).begin()
        if attempt.refused:
            form.password.errors = [BLOCKED_MESSAGE.format(seconds=attempt.wait_seconds)]
            return render_template("auth/login.html", form=form), 429, {"Retry-After": str(attempt.wait_seconds)}
        if user is not None and verify_password(user.password_hash, password):
            attempt.succeeded()
            if needs_rehash(user.password_hash):
                # Argon2 parameters changed since this hash was made: upgrade it
                # now, while the password is at hand (before the session names it).
                user.password_hash = hash_password(password)
                get_session().commit()
            start_session(user)
            response = redirect(safe_next(request.args.get("next")))
            remember_device(response, user.id)
            return response
        if user is None:
            verify_nothing(password)
        form.password.errors = ["That email and password do not match an account."]
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout() -> ResponseReturnValue:
    """Sign out (POST, so a link or image elsewhere cannot sign anyone out)."""
    user: User = current_user
    end_session(user)
    get_session().commit()
    flash("You have logged out.", "info")
    return redirect(url_for("home.index"))

