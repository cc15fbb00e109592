"""Forms for resolution by consent, interim suspension and consolidation
(docs/decisions/0020), and what their panels on the case page need. The pages offer
each form exactly when `cases.access.offered` does."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from cases import access
from cases.forms import DATE, KeepsInput
from cases.models import (
    BALLOT_CHOICES,
    BallotKind,
    InterimStatus,
    SanctionKind,
    VoteChoice,
)
from cases.services.ballots import MAX_SUSPENSION_MONTHS
from cases.services.interim import interim_outcome


class ConsentOfferForm(KeepsInput, forms.Form):
    sanction = forms.ChoiceField(
        label=gettext_lazy("Sanction offered"), choices=SanctionKind.choices
    )
    suspension_months = forms.IntegerField(
        label=gettext_lazy("Suspension length (months, for a suspension)"),
        required=False,
        min_value=1,
        max_value=MAX_SUSPENSION_MONTHS,
    )
    terms = forms.CharField(
        label=gettext_lazy("Terms (what the respondent agrees to, sent in the offer letter)"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    reply_by = forms.DateField(label=gettext_lazy("Reply by"), widget=DATE)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "consent")
        super().__init__(*args, **kwargs)


class ConsentAcceptForm(forms.Form):
    """The confirmation page's one box: accepting ends the case."""

    expected_state = forms.CharField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        label=gettext_lazy("I accept the sanction and terms above on behalf of the respondent."),
        error_messages={
            "required": gettext_lazy("Tick the box to confirm that you accept the offer.")
        },
    )


class ConsentRefuseForm(KeepsInput, forms.Form):
    said = forms.CharField(
        label=gettext_lazy(
            "Anything you wish to say (optional; never shown to the board or the panel)"
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "refuse")
        super().__init__(*args, **kwargs)


class InterimReasonForm(KeepsInput, forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, label: str, prefix: str, **kwargs):
        super().__init__(*args, prefix=prefix, **kwargs)
        self.fields["reason"].label = label


class InterimVoteForm(KeepsInput, forms.Form):
    choice = forms.ChoiceField(
        label=gettext_lazy("Your vote"),
        widget=forms.RadioSelect,
        choices=[(c, VoteChoice(c).label) for c in BALLOT_CHOICES[BallotKind.INTERIM]],
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "interim")
        super().__init__(*args, **kwargs)


class ConsolidateForm(KeepsInput, forms.Form):
    other_number = forms.CharField(
        label=gettext_lazy("Linked case to consolidate with"), max_length=12
    )
    reason = forms.CharField(
        label=gettext_lazy("Why the cases are decided together"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "consolidate")
        super().__init__(*args, **kwargs)


def _interim_ballot(case):
    return next(
        (b for b in case.ballots.all() if b.kind == "interim" and b.closed_at is None), None
    )


def panel_context(user, case, relation: str, forms_given: dict) -> dict:
    """What the consent, interim and consolidation panels show this user: the staff,
    the respondent and the deciders each see their part (the deciders never see a
    consent offer)."""
    interims = list(case.interim_suspensions.all())
    live = next(
        (i for i in interims if i.status in (InterimStatus.PROPOSED, InterimStatus.IN_FORCE)),
        None,
    )
    ballot = _interim_ballot(case)
    context = {
        "interim": live,
        "interims": interims,
        "interim_ballot": ballot,
        "interim_form": forms_given.get("interim_form")
        or InterimReasonForm(
            label=gettext_lazy("Why the membership should be suspended while the case runs"),
            prefix="interim-propose",
        ),
        "lift_form": forms_given.get("lift_form")
        or InterimReasonForm(
            label=gettext_lazy("Grounds for lifting the interim suspension"), prefix="interim-lift"
        ),
    }
    if relation in (access.STAFF_VIEW, access.DECIDER_VIEW) and ballot is not None:
        context["interim_outcome"] = interim_outcome(ballot, case.procedure)
        context["interim_my_vote"] = next(
            (v for v in ballot.votes.all() if v.voter_id == user.pk), None
        )
        context["interim_lifting"] = bool(live and live.lift_ballot_id == ballot.pk)
        context["interim_vote_form"] = forms_given.get("interim_vote_form") or InterimVoteForm(
            initial={"choice": context["interim_my_vote"].choice}
            if context["interim_my_vote"]
            else {}
        )
    if relation != access.DECIDER_VIEW:
        offers = list(case.consent_offers.all())
        context["consent_offers"] = offers
        context["open_offer"] = next((o for o in offers if o.status == "open"), None)
        context["by_consent"] = any(o.status == "accepted" for o in offers)
        context["refuse_form"] = forms_given.get("refuse_form") or ConsentRefuseForm()
    context["consent_form"] = forms_given.get("consent_form") or ConsentOfferForm()
    if relation == access.STAFF_VIEW:
        context["consolidate_form"] = forms_given.get("consolidate_form") or ConsolidateForm()
    return context
