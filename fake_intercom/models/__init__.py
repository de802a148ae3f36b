"""The fake's backend, shaped like a moto backend: the workspace's state and every operation on
it, with typed arguments and no HTTP in sight, split by resource. The HTTP layer
(fake_intercom/responses.py) parses requests and calls these methods; tests and benchmarks call
them directly (`fake.backend`) to make things happen while a client runs. Errors are `ApiError`s
carrying Intercom's status, code and message; `reset()` returns to the generated workspace.
"""

from __future__ import annotations

from fake_intercom.models.contacts import ContactFields, ContactsMixin
from fake_intercom.models.conversations import ConversationsMixin
from fake_intercom.models.paging import Page
from fake_intercom.models.truth import GROUND_TRUTH_STREAMS, TruthMixin


class IntercomBackend(ContactsMixin, ConversationsMixin, TruthMixin):
    """Contacts (`models/contacts.py`), conversations (`conversations.py`) and what is done to
    them (`parts.py`), the workspace's admins, teams and data attributes (`workspace.py`),
    ground truth (`truth.py`); lists and searches page through `paging.py`; shared state and
    lookups in `base.py`."""


__all__ = ["GROUND_TRUTH_STREAMS", "ContactFields", "IntercomBackend", "Page"]
