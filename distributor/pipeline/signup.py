"""Sign-up with double opt-in: what the form's answers become, and the confirmation.

:class:`SignUps` takes a checked address (:func:`checked_address`) and, unless its domain
is blocked, records the sign-up and plans the confirmation email into the outbox, for
the email channel to send like any delivery (the worker picks it up at its next poll).
The email's link is signed with the readers' link keys (:mod:`distributor.compose.links`)
and works for ``[signup] confirm_days``; pressing the button it leads to makes the
reader active (:meth:`SignUps.confirm`). Whether the address was known is never part of
what a caller is told: ``request`` returns nothing.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from distributor.channels import registry
from distributor.channels.base import EmailChannel
from distributor.compose.confirmation import render_confirmation
from distributor.compose.links import Checked, check_confirm, confirm_value
from distributor.errors import ConfigError
from distributor.models import Delivery, DeliveryKind
from distributor.payloads import Confirmation
from distributor.schedule.times import local_day
from distributor.settings import Settings
from distributor.store.consents import Confirmed, ConsentStore, SignUp
from distributor.store.subscribers import clean_name, normalise_email, normalise_topics

log = logging.getLogger(__name__)

SUBSCRIBE_PATH = "/subscribe"
CONFIRM_PATH = "/confirm"
CATEGORY = "signup-confirmation"


def wording(settings: Settings) -> str:
    """What the reader agrees to, as the form says it and the consent record keeps it."""
    return (
        f"Send me {settings.publisher.name}'s email digest. I can unsubscribe at any time "
        "with the link in every email."
    )


def checked_address(raw: str, settings: Settings) -> str:
    """The address as stored; raises ValueError with a message for the reader."""
    from email_validator import EmailNotValidError, validate_email

    try:
        found = validate_email(
            raw.strip(),
            check_deliverability=settings.signup.check_deliverability,
            allow_smtputf8=False,
        )
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from None
    return normalise_email(found.ascii_email or found.normalized)


def blocked(address: str, domains: Iterable[str]) -> bool:
    """Whether ``address`` is at one of ``domains`` or a subdomain of one."""
    domain = address.rpartition("@")[2]
    return any(domain == d or domain.endswith("." + d) for d in domains)


def kept_ip(ip: str | None, mode: str) -> str | None:
    """What a consent record keeps of a client's address: nothing (``none``), all of it
    (``full``), or its network (``network``: the /24 of IPv4, the /48 of IPv6)."""
    if not ip or mode == "none":
        return None
    try:
        parsed = ipaddress.ip_address(ip)
    except ValueError:
        return None
    if mode == "full":
        return str(parsed)
    prefix = 24 if parsed.version == 4 else 48
    return str(ipaddress.ip_network(f"{parsed}/{prefix}", strict=False))


def confirmation_channel(settings: Settings) -> str:
    """The configured email channel that sends confirmations (the first in
    ``[delivery] channels``), chosen by what it declares, never by its name; raises
    ConfigError when there is none."""
    for name in settings.delivery.channels:
        cls = registry.get(name)
        if issubclass(cls, EmailChannel) and DeliveryKind.CONFIRMATION in cls.kinds:
            return name
    raise ConfigError(
        "[signup] enabled needs an email channel that sends confirmations (sendgrid) in "
        "[delivery] channels",
        key="signup.enabled",
    )


class SignUps:
    """The form's side of double opt-in, on a store and the link keys."""

    def __init__(
        self, settings: Settings, store: ConsentStore, keys: Sequence[bytes], channel: str
    ) -> None:
        self.settings = settings
        self.store = store
        self.keys = tuple(keys)
        self.channel = channel
        self.confirm_url = settings.web.base_url.rstrip("/") + CONFIRM_PATH

    def request(
        self,
        address: str,
        *,
        name: str = "",
        topics: Iterable[str] = (),
        source: str = "form",
        ip: str | None = None,
        now: datetime | None = None,
    ) -> None:
        """Sign up ``address`` (from :func:`checked_address`): a new, pending,
        unsubscribed or paused reader is sent a confirmation email; anyone else nothing."""
        if blocked(address, self.settings.signup.blocked_domains):
            log.info("sign-up from a blocked domain: nothing stored or sent")
            return
        stamp = now or datetime.now(UTC)
        offered = set(self.settings.subscribers.topics)
        signup = SignUp(
            email=address,
            name=clean_name(name),
            topics=normalise_topics(t for t in topics if t in offered),
            source=source,
            wording=wording(self.settings),
            ip=kept_ip(ip, self.settings.signup.record_ip),
        )

        def email(consent_id: int, reference: str) -> Delivery:
            return self._email(address, consent_id, reference, stamp)

        sent = self.store.request(signup, email, now=stamp)
        log.info("sign-up: %s", "confirmation email planned" if sent else "nothing to send")

    def _email(self, address: str, consent_id: int, reference: str, now: datetime) -> Delivery:
        link = f"{self.confirm_url}?t={confirm_value(self.keys[0], reference, now)}"
        content = render_confirmation(self.settings, link)
        key = f"{self.channel}:{DeliveryKind.CONFIRMATION}:{consent_id}"
        payload: Confirmation = {
            "subject": content.subject,
            "html": content.html,
            "text": content.text,
            "batch_key": key,
            "categories": [CATEGORY],
            "custom_args": {"consent": str(consent_id)},
            "recipients": [{"email": address}],
            "consent_id": consent_id,
        }
        return Delivery(
            channel=self.channel,
            kind=DeliveryKind.CONFIRMATION,
            idempotency_key=key,
            due_at=now,
            payload=payload,
            subject_id=f"consent-{consent_id}",
            # The publisher's day it was asked on, so `outbox list` and `status` show it.
            day=local_day(now, self.settings),
        )

    def check(self, value: str, *, now: datetime | None = None) -> Checked:
        """What a confirmation link's ``t`` says: the consent's reference when it is
        signed by one of the keys and not expired."""
        return check_confirm(
            self.keys,
            value,
            now=now or datetime.now(UTC),
            days=self.settings.signup.confirm_days,
        )

    def confirm(
        self, reference: str, *, ip: str | None = None, now: datetime | None = None
    ) -> Confirmed:
        """Make the reader of a checked link active (see :meth:`ConsentStore.confirm`)."""
        done = self.store.confirm(
            reference, ip=kept_ip(ip, self.settings.signup.record_ip), now=now
        )
        log.info("sign-up confirmation: %s", done.value)
        return done
