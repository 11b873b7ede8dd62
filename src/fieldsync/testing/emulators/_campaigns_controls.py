"""The Campaigns emulator's open-world controls: what hands other than fieldsync's do to an
account over the years (unsubscribe, bounce, report spam, edit and remove contacts, delete
fields), for tests to cause. Mixed into :class:`~fieldsync.testing.CampaignsEmulator`."""

from __future__ import annotations

import json
import threading

from fieldsync.testing.emulators._campaigns_standing import (
    BounceAnswer,
    Refusal,
    UnknownFieldAnswer,
)
from fieldsync.testing.emulators._campaigns_state import CampaignsState

__all__ = ["OpenWorldControls"]


class OpenWorldControls:
    """Test controls over a Campaigns account's open world (thread-safe)."""

    _state: CampaignsState
    _lock: threading.RLock

    @property
    def bounce_answer(self) -> BounceAnswer:
        """What ``listsubscribe`` answers for a hard-bounced contact."""
        return self._state.standing.bounce_answer

    @bounce_answer.setter
    def bounce_answer(self, answer: BounceAnswer) -> None:
        with self._lock:
            self._state.standing.bounce_answer = answer

    @property
    def unknown_field_answer(self) -> UnknownFieldAnswer:
        """What ``listsubscribe`` answers for a ``contactinfo`` naming an unknown field."""
        return self._state.standing.unknown_field_answer

    @unknown_field_answer.setter
    def unknown_field_answer(self, answer: UnknownFieldAnswer) -> None:
        with self._lock:
            self._state.standing.unknown_field_answer = answer

    def do_not_mail(self, email: str) -> None:
        """Put an address in the organization's Do-Not-Mail registry (a contact who
        unsubscribed from everything): it reads as unsub in every list, and
        ``listsubscribe`` refuses it with code 2006."""
        with self._lock:
            self._state.standing.do_not_mail.add(email.lower())

    def unsubscribe(self, key: str, email: str) -> None:
        """The contact unsubscribed from this list (the link in a mail): it reads as unsub
        there, and ``listsubscribe`` to that list refuses it (code 2006).

        Raises:
            KeyError: the address is not a member of the list.
        """
        with self._lock:
            target = self._state.lists[key]
            if email.lower() not in target.members:
                raise KeyError(f"{email!r} is not in list {key!r}")
            target.unsubscribed.add(email.lower())

    def hard_bounce(self, email: str) -> None:
        """The address hard-bounced: it reads as bounce; later adds are ignored or refused
        as :attr:`bounce_answer` says, and its fields are frozen."""
        with self._lock:
            self._state.standing.bounced.add(email.lower())

    def report_spam(self, email: str) -> None:
        """The contact marked the mail as spam: counted as spam, adds refused."""
        with self._lock:
            self._state.standing.spam.add(email.lower())

    def resubscribe(self, email: str) -> None:
        """The contact subscribed again through a sign-up form: active again everywhere."""
        with self._lock:
            ident = email.lower()
            self._state.standing.resubscribe(ident)
            for mailing_list in self._state.lists.values():
                mailing_list.unsubscribed.discard(ident)

    def refuse(self, email: str, code: str, message: str) -> None:
        """From now on ``listsubscribe`` refuses this address with ``code`` and
        ``message`` (any code, known to fieldsync or not); :meth:`resubscribe` ends it."""
        with self._lock:
            self._state.standing.refusals[email.lower()] = Refusal(code, message)

    def edit_contact(self, email: str, **values: str) -> None:
        """A marketer edits a contact by hand: ``values`` by display name, as keywords or
        ``**{"First Name": "Ann"}``; ``""`` clears a field.

        Raises:
            KeyError: no such contact, or no such field.
        """
        with self._lock:
            self._state.edit(email, values)

    def add_contact(self, key: str, email: str, **values: str) -> None:
        """A marketer (or a sign-up form) adds a contact to the list, not fieldsync:
        ``values`` by display name, as keywords or ``**{"First Name": "Ann"}``.

        Raises:
            ApiError: the list or the address refuses it, as ``listsubscribe`` would.
        """
        contactinfo = json.dumps({**values, "Contact Email": email})
        with self._lock:
            self._state.subscribe(key, contactinfo)

    def remove_contact(self, key: str, email: str) -> None:
        """A marketer removes a contact from the list by hand: gone from the list, no
        unsubscription recorded (the contact stays in the account).

        Raises:
            KeyError: the address is not a member of the list.
        """
        with self._lock:
            self._state.remove(key, email)

    def delete_field(self, display_name: str) -> None:
        """Delete a custom field (and every contact's value in it), as in the web interface.

        Raises:
            KeyError: no custom field has this display name.
        """
        with self._lock:
            self._state.delete_field(display_name)

    def pending(self, key: str) -> set[str]:
        """The (lower-cased) addresses waiting to confirm their subscription to the list."""
        with self._lock:
            return set(self._state.lists[key].pending)
