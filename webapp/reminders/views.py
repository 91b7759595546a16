"""`/emails`: choose the emails the course sends; `/unsubscribe/<token>`: stop one kind in one click."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from webapp.accounts.auth import messages
from webapp.platform.clock import zone_label
from webapp.platform.db import get_session
from webapp.platform.extensions import csrf, limiter
from webapp.platform.models import User, utcnow
from webapp.reminders import bp, unsubscribe
from webapp.reminders.forms import OFF, EmailSettingsForm


def _account_key() -> str:
    # Saving may send a confirmation link: limited per account like the other account emails.
    return f"email-settings:{current_user.id if current_user.is_authenticated else 'anonymous'}"


@bp.route("/emails", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: str(current_app.config["EMAIL_LIMIT_PER_ACCOUNT"]), key_func=_account_key, methods=["POST"])
def settings() -> ResponseReturnValue:
    """Reminder hour, digest and replies for the signed-in user; reminders need a confirmed address (a link is sent)."""
    session = get_session()
    user = session.get(User, current_user.id)
    assert user is not None
    form = EmailSettingsForm()
    if not user.is_instructor:
        del form.digest
    if request.method == "GET":
        form.reminder_hour.data = OFF if user.reminder_hour is None else str(user.reminder_hour)
        form.replies.data = user.reply_emails
        if user.is_instructor:
            form.digest.data = user.digest_emails
    elif form.validate_on_submit():
        hour = form.reminder_hour.data
        user.reminder_hour = None if hour == OFF else int(str(hour))
        user.reply_emails = bool(form.replies.data)
        if user.is_instructor:
            user.digest_emails = bool(form.digest.data)
        session.commit()
        flash("Your email choices are saved.", "success")
        if user.reminder_hour is not None and user.email_verified_at is None:
            messages.send_verification(session, user, utcnow(), url_for("reminders.settings"))
            flash(f"Reminders start once you confirm your address: we sent a link to {user.email}.", "info")
        return redirect(url_for("reminders.settings"))
    status = 400 if form.is_submitted() else 200
    return render_template("reminders/settings.html", form=form, zone=zone_label(user.timezone),
                           verified=user.email_verified_at is not None), status


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" with no page; the token is signed
@limiter.limit("60 per minute", methods=["POST"])
def unsubscribe_page(token: str) -> ResponseReturnValue:
    """GET: a page with one button (link scanners must not unsubscribe anyone); POST: unsubscribe."""
    choice = unsubscribe.read_token(token)
    if choice is None:
        return render_template("reminders/unsubscribe.html", choice=None, kinds=unsubscribe.KINDS), 404
    if request.method == "POST":
        user = unsubscribe.apply(get_session(), choice)
        if user is None:
            return render_template("reminders/unsubscribe.html", choice=None, kinds=unsubscribe.KINDS), 404
        return render_template("reminders/unsubscribe.html", choice=choice, done=True, kinds=unsubscribe.KINDS)
    return render_template("reminders/unsubscribe.html", choice=choice, done=False, kinds=unsubscribe.KINDS,
                           form=None)
