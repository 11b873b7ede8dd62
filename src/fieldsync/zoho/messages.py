"""What Zoho Campaigns' ``json/listsubscribe`` says when it succeeds, and the code it gives
a contact in the Do-Not-Mail registry.

The adapter reads these texts to tell an added contact from an updated one (and from one
that must first confirm by email); ``fieldsync.testing``'s ``CampaignsEmulator`` answers
with them. Both import them from here, so they always agree. Zoho documents only
:data:`CONFIRMATION_MESSAGE`; the other two are the wordings the emulator uses, and the
adapter counts any other wording as written (neither added nor updated).
"""

from __future__ import annotations

__all__ = ["ADDED_MESSAGE", "CONFIRMATION_MESSAGE", "DO_NOT_MAIL_CODE", "UPDATED_MESSAGE"]

CONFIRMATION_MESSAGE = (
    "A confirmation email is sent to the user. User needs to confirm to successfully subscribe."
)
"""The contact was not added yet: the list is double opt-in and Zoho mailed a confirmation."""

ADDED_MESSAGE = "Contact added to the list successfully."
"""The contact is new to the list."""

UPDATED_MESSAGE = "Contact details updated successfully."
"""The contact was in the list already; its details were updated."""

DO_NOT_MAIL_CODE = "2006"
"""The error code of ``json/listsubscribe`` for an address in the organization's Do-Not-Mail
registry (seen from third-party clients; not in Zoho's pages): only the contact can
subscribe again, through a sign-up form."""
