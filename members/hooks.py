"""Signals the register sends so that other apps can take part without members
importing them (cases builds on members, never the other way round).

- `membership_change_requested`: sent before a change of membership status made by
  hand (not by a case). Receivers return why it must be refused, or "". The cases
  app refuses a change that would undo a sanction still in force.
- `representative_removed`: sent in the transaction that removes a representative.
  The cases app takes back the person's access to the organization's cases.
"""

from django.dispatch import Signal

# Arguments: organization, transition (its name), target (the status it leads to),
# label (how the change reads in a sentence).
membership_change_requested = Signal()

# Arguments: user, organization, by (the staff member acting).
representative_removed = Signal()

# Arguments: organization, user. Receivers return a dict of what they add to the
# organization page (staff, board, panel) and to "Our membership" (a representative):
# the cases app adds the organization's cases, sanctions and letters.
organization_page = Signal()
portal_page = Signal()

# Arguments: organization, user (None: the page is public). The cases app adds the
# decisions published about the organization by name (docs/decisions/0023).
verification_page = Signal()


def page_additions(signal: Signal, *, organization, user) -> dict:
    """What the receivers of a page signal add to its context, merged."""
    extra: dict = {}
    for _receiver, addition in signal.send(sender=None, organization=organization, user=user):
        extra.update(addition or {})
    return extra
