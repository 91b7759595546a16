"""Sign up, log in and log out (`/signup`, `/login`, `/logout` POST only)."""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from webapp.auth import bp
from webapp.auth.forms import LoginForm, SignupForm
from webapp.auth.passwords import hash_password, verify_password
from webapp.auth.sessions import end_session, start_session
from webapp.db import get_session
from webapp.extensions import limiter
from webapp.models import User

# Per client address, on POST only: reading the form is never limited.
LOGIN_LIMIT = "10 per minute"
SIGNUP_LIMIT = "20 per hour"

# Verifying against a real hash when the email is unknown keeps the response
# time the same, so timing does not reveal which emails have accounts.
_DUMMY_HASH = hash_password("not-a-real-password")


def _safe_next(target: str | None) -> str:
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


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(SIGNUP_LIMIT, methods=["POST"])
def signup() -> ResponseReturnValue:
    """Create an account and sign in."""
    if current_user.is_authenticated:
        return redirect(_safe_next(None))
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
        if session.scalar(select(User.id).where(func.lower(User.email) == form.email.data)) is not None:
            form.email.errors = ["An account with this email already exists. Log in instead."]
            return render_template("auth/signup.html", form=form), 400
        user = User(
            email=form.email.data,
            display_name=form.display_name.data,
            role=role,
            password_hash=hash_password(form.password.data or ""),
        )
        session.add(user)
        try:
            session.commit()
        except IntegrityError:  # the same email signed up a moment ago
            session.rollback()
            form.email.errors = ["An account with this email already exists. Log in instead."]
            return render_template("auth/signup.html", form=form), 400
        start_session(user)
        flash(f"Welcome, {user.display_name}. Your account is ready.", "success")
        return redirect(_safe_next(request.args.get("next")))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/signup.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
def login() -> ResponseReturnValue:
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user = get_session().scalar(select(User).where(func.lower(User.email) == form.email.data))
        if user is not None and verify_password(user.password_hash, form.password.data or ""):
            start_session(user)
            return redirect(_safe_next(request.args.get("next")))
        if user is None:
            verify_password(_DUMMY_HASH, form.password.data or "")
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

