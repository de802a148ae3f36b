"""The seeded workspace generator: a health-coaching program's Intercom workspace.

Deterministic: the same (size, seed, now) gives byte-identical records. History ends at the
start of `now`'s UTC day (the *anchor*): conversations span the 18 months before it and every
`updated_at` is at or before it. Engagement situations are judged as of the anchor's date with
the program's rules as the dbt project states them (fake_intercom/rules.py).

What is in a workspace (modules by concern):
* `staff`: coaches in a "Health Coaching" team (some also in "Clinical Leads"), support admins in
  "Member Support", the program-operations admin behind GET /me; the data attributes;
* `people`: members (role `user`) with the contact attributes of docs/architecture.md (calendar
  dates as unix seconds of UTC midnight, a few at other times of day; employers, referrals,
  registration codes), in every engagement situation of `catalog`, with dirty data on some;
* `sessions`, `conversations`: each member's qualifying calls, placed for its situation, and
  other conversations on the four channels; households whose calls list two members;
* `contacts`: the stored contacts, with maintained attributes correct, stale or missing in
  roughly 45/25/30 shares (so a write-back plan is non-empty but not everything); leads;
* every dirty-data kind of `fake_intercom/dirty.py`, at a low rate.

The manifest (`ground_truth()["manifest"]`) records the as-of date, where each dirty kind was
planted, each member's situation and expected Engagement Status, computed from the generated
conversations with the rules, so tests downstream can check themselves against it.
"""

from fake_intercom.generator.catalog import GENERATOR_VERSION, SIZES, Size, anchor_of
from fake_intercom.generator.run import generate_workspace

__all__ = ["GENERATOR_VERSION", "SIZES", "Size", "anchor_of", "generate_workspace"]
