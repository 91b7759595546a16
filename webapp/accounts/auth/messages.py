"""The account messages: verify an address, someone signed up with yours, reset a password, confirm a new address.

These are security messages: they carry no unsubscribe link (a learner cannot opt
out of being told about their own account), and every time in them is in the
learner's own zone.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy.orm import Session

from webapp.accounts.auth import email_links
from webapp.platform.clock import in_zone, zone_label
from webapp.platform.mail import absolute_url, compose, post
from webapp.platform.models import User


def _until(user: User, moment: dt.datetime) -> str:
    local = in_zone(moment, user.timezone)
    assert local is not None
    return f"{local:%A %d %B, %H:%M} ({zone_label(user.timezone)})"


def send_verification(session: Session, user: User, now: dt.datetime, next_path: str | None = None) -> None:
    """Issue a verification link for `user` (flushed, not yet committed), commit, and send it."""
    lifetime = dt.timedelta(hours=float(current_app.config["EMAIL_VERIFY_HOURS"]))
    token = email_links.issue(session, user, "verify", user.email, now, lifetime)
    session.commit()
    verify_address(user, token, now + lifetime, next_path=next_path)


def verify_address(user: User, token: str, expires_at: dt.datetime, *, next_path: str | None = None) -> None:
    """Send the link that confirms the address and signs the new learner in."""
    link = absolute_url("auth.verify", token=token, next=next_path or None)
    post(compose("verify", user.email, "Confirm your email to start studying", user=user, link=link,
                 until=_until(user, expires_at)))


def known_address(user: User, now: dt.datetime) -> None:
    """Tell the owner of a known address that someone tried to sign up with it (nothing was changed)."""
    post(compose("known_address", user.email, "Someone tried to sign up with your email", user=user,
                 when=_until(user, now), login=absolute_url("auth.login"), forgot=absolute_url("auth.forgot")))


def reset_link(user: User, token: str, expires_at: dt.datetime) -> None:
    """Send a one-time link to choose a new password."""
    post(compose("reset", user.email, "Reset your password", user=user,
                 link=absolute_url("auth.recover", token=token), until=_until(user, expires_at),
                 minutes=int(current_app.config["EMAIL_RESET_MINUTES"])))


def confirm_new_address(user: User, new_email: str, token: str, expires_at: dt.datetime) -> None:
    """Send the link that moves the account to `new_email` (sent to the new address), and a notice to the old one."""
    post(compose("change", new_email, "Confirm your new email address", user=user, new_email=new_email,
                 link=absolute_url("account.confirm_email", token=token), until=_until(user, expires_at)))
    post(compose("change_notice", user.email, "Your email address is being changed", user=user,
                 new_email=new_email, forgot=absolute_url("auth.forgot")))
