"""Which way a run's contacts go to the target: ``upsert``, or a bulk route for addresses.

A sync whose mapping writes the email field and nothing else sends bare addresses; a
target that offers a :class:`~fieldsync.ports.BulkEmailTarget` route takes those many
to a call (Zoho Campaigns: 10 per ``addlistsubscribersinbulk`` call at 2,000 calls a
minute, against one per ``json/listsubscribe`` call at 500). Every other sync, and every
target without the route, goes through :meth:`~fieldsync.ports.Target.upsert`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import attrs

from fieldsync.domain.duration import RunEstimate, estimate_run
from fieldsync.domain.mapping import MappingPlan
from fieldsync.domain.records import TargetContact, TargetLimits, UpsertOutcome
from fieldsync.ports import BulkEmailTarget, Target

__all__ = ["Route", "choose_route"]

Send = Callable[[str, Sequence[TargetContact]], Sequence[UpsertOutcome]]


@attrs.frozen
class Route:
    """How a run writes: the call that sends a batch and the limits it obeys.

    Attributes:
        name: ``"upsert"`` or ``"bulk"``, for logs.
        limits: the route's batch size, windows and contacts per call.
        send: ``send(list_key, contacts)``: one outcome per contact, in order.
    """

    name: str
    limits: TargetLimits
    send: Send

    @property
    def batch_size(self) -> int:
        """The records a run plans and commits at once on this route."""
        return max(1, self.limits.max_batch)

    def estimate(self, contacts: int) -> RunEstimate:
        """How long ``contacts`` take on this route at the target's limits."""
        return estimate_run(contacts, self.limits)


def choose_route(plan: MappingPlan, target: Target) -> Route:
    """The bulk route when ``plan`` maps only the email and ``target`` offers one now,
    else the target's ``upsert``."""
    if plan.email_only and isinstance(target, BulkEmailTarget):
        limits = target.bulk_limits()
        if limits is not None:
            return Route("bulk", limits, target.add_emails)
    return Route("upsert", target.limits(), target.upsert)
