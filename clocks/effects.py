"""What each step of a case does to its legal clocks: read this file to know which clocks a
referral starts, which an answer meets, and which a withdrawal cancels. Registered with the
lifecycle (complaints.lifecycle); each effect runs in the step's transaction."""

from __future__ import annotations

from complaints.lifecycle import Phase, Step, effect
from complaints.transitions import Action
from kernel.actors import Actor

from .models import Obligation, OwedBy
from .rules import CITIZEN_REPLY_TO_RESPONSE, REFERRAL_OBLIGATIONS
from .selectors import has_running_clock
from .services import (
    clock_meet,
    clock_meet_if_running,
    clock_start,
    clocks_cancel_for_complaint,
    clocks_meet_for_complaint,
    clocks_start_for_referral,
    clocks_stop_for_investigation,
)

CANCEL_REASONS = {
    Action.WITHDRAW: "The complaint was withdrawn.",
    Action.CLOSE: "The case is closed.",
    Action.RULE_OUT_OF_SCOPE: "The complaint is outside the ombudsman's remit.",
}


@effect(Action.REFER, phase=Phase.STATE)
def start_agency_clocks(step: Step) -> None:
    """A referral starts the agency's clocks (acknowledge, mark disputed, respond); a referral to
    another agency first cancels the previous agency's running ones."""
    complaint = step.complaint
    clocks_cancel_for_complaint(
        complaint_id=complaint.pk,
        reason="The case was referred to another agency.",
        now=step.now,
        actor=step.actor,
        obligations=REFERRAL_OBLIGATIONS,
        exclude_agency_id=complaint.respondent_id,
    )
    clocks_start_for_referral(complaint=complaint, agency=complaint.respondent, now=step.now, actor=step.actor)


@effect(Action.ACKNOWLEDGE, phase=Phase.STATE)
def meet_acknowledgement(step: Step) -> None:
    clock_meet_if_running(complaint=step.complaint, obligation=Obligation.ACKNOWLEDGE, actor=step.actor, now=step.now)


@effect(Action.MARK_DISPUTED, phase=Phase.STATE)
def meet_disputed_marking(step: Step) -> None:
    clock_meet_if_running(complaint=step.complaint, obligation=Obligation.MARK_DISPUTED, actor=step.actor, now=step.now)


@effect(Action.RECORD_AGENCY_RESPONSE, phase=Phase.STATE)
def answer_meets_agency_clocks(step: Step) -> None:
    """The answer meets acknowledge and respond; marking disputed is no longer owed; the citizen's
    reply clock starts."""
    complaint = step.complaint
    clocks_meet_for_complaint(
        complaint_id=complaint.pk,
        obligations=(Obligation.ACKNOWLEDGE, Obligation.RESPOND),
        now=step.now,
        actor=step.actor,
        agency_id=complaint.respondent_id,
    )
    clocks_cancel_for_complaint(
        complaint_id=complaint.pk,
        reason="The agency answered the complaint before marking the record as disputed.",
        now=step.now,
        actor=step.actor,
        obligations=(Obligation.MARK_DISPUTED,),
        agency_id=complaint.respondent_id,
    )
    clock_start(
        complaint=complaint,
        obligation=Obligation.CITIZEN_REPLY,
        now=step.now,
        subject_key=CITIZEN_REPLY_TO_RESPONSE,
        actor=Actor.system(),
    )


@effect(Action.RESOLVE, Action.OPEN_INVESTIGATION, phase=Phase.STATE)
def citizen_reply_met(step: Step) -> None:
    """The citizen's answer to the agency's response (accepted, or contested) meets their clock."""
    complaint = step.complaint
    if has_running_clock(complaint.pk, Obligation.CITIZEN_REPLY, CITIZEN_REPLY_TO_RESPONSE):
        clock_meet(
            complaint_id=complaint.pk,
            obligation=Obligation.CITIZEN_REPLY,
            subject_key=CITIZEN_REPLY_TO_RESPONSE,
            now=step.now,
            actor=Actor.system(f"{step.actor.display} ({step.action.value.replace('_', ' ')})"),
        )


@effect(Action.OPEN_INVESTIGATION, phase=Phase.STATE)
def stop_agency_clocks(step: Step) -> None:
    clocks_stop_for_investigation(complaint_id=step.complaint.pk, now=step.now, actor=step.actor)


@effect(Action.SHARE_PROVISIONAL, phase=Phase.STATE)
def start_comment_periods(step: Step) -> None:
    """A provisional decision gives the citizen and the agency each a comment period (the agency
    only when the case was referred to it: an agency sees no case before its referral)."""
    complaint = step.complaint
    key = step.params["subject_key"]
    clock_start(
        complaint=complaint,
        obligation=Obligation.PROVISIONAL_COMMENT,
        now=step.now,
        subject_key=key,
        owed_by=OwedBy.CITIZEN,
        actor=Actor.system(),
    )
    if complaint.respondent is not None and complaint.referred_at is not None:
        clock_start(
            complaint=complaint,
            obligation=Obligation.PROVISIONAL_COMMENT,
            now=step.now,
            agency=complaint.respondent,
            subject_key=key,
            owed_by=OwedBy.AGENCY,
            actor=Actor.system(),
        )


@effect(Action.COMMENT_PROVISIONAL, phase=Phase.STATE)
def comment_meets_party_period(step: Step) -> None:
    """A party's first comment meets its comment period (later comments are still welcome until it ends)."""
    complaint = step.complaint
    party = step.params["party"]
    key = step.params["subject_key"]
    if has_running_clock(complaint.pk, Obligation.PROVISIONAL_COMMENT, key, owed_by=party):
        clock_meet(
            complaint_id=complaint.pk,
            obligation=Obligation.PROVISIONAL_COMMENT,
            subject_key=key,
            owed_by=party,
            agency_id=complaint.respondent_id if party == OwedBy.AGENCY else None,
            now=step.now,
            actor=Actor.system(f"{step.actor.display} (comment)"),
        )


@effect(Action.SIGN_DETERMINATION, phase=Phase.STATE)
def end_comment_periods(step: Step) -> None:
    """The final decision ends whatever is left of the comment periods (none when the
    provisional step was skipped)."""
    if not step.params.get("after_provisional"):
        return
    clocks_cancel_for_complaint(
        complaint_id=step.complaint.pk,
        reason="The final decision was signed.",
        now=step.now,
        actor=step.actor,
        obligations=(Obligation.PROVISIONAL_COMMENT,),
    )


@effect(Action.REQUEST_REVIEW, phase=Phase.STATE)
def start_review_clock(step: Step) -> None:
    """A review request starts the ombudsman's own clock to decide it."""
    clock_start(
        complaint=step.complaint,
        obligation=Obligation.REVIEW,
        now=step.now,
        subject_key=step.params["subject_key"],
        owed_by=OwedBy.OMBUDSMAN,
        actor=Actor.system(),
    )


@effect(Action.DECIDE_REVIEW, phase=Phase.STATE)
def meet_review_clock(step: Step) -> None:
    clock_meet(
        complaint_id=step.complaint.pk,
        obligation=Obligation.REVIEW,
        subject_key=step.params["subject_key"],
        owed_by=OwedBy.OMBUDSMAN,
        now=step.now,
        actor=step.actor,
    )


@effect(*CANCEL_REASONS, phase=Phase.STATE)
def cancel_every_clock(step: Step) -> None:
    clocks_cancel_for_complaint(
        complaint_id=step.complaint.pk, reason=CANCEL_REASONS[step.action], now=step.now, actor=step.actor
    )
