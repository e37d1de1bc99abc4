"""Reads of clock rules and regimes: which rule an obligation runs on, the rule in force for a
code, whose calendar a clock counts in, the public due-date calculator, and what a rule's
extension allows. No writes here (configuring an agency's regime is
`clocks.services.agency_regime_set`; applying an extension is `clocks.services.clock_extend`)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from agencies.jurisdictions import DEFAULT_JURISDICTION, UnknownJurisdiction
from agencies.models import Agency
from complaints.models import Complaint
from kernel.errors import ServiceError

from . import calendar as cal
from .models import AgencyClockRegime, Clock, ClockRule, ExtensionPrecondition, Obligation, OwedBy
from .rules_data import DEFAULT_REGIME, DEFAULT_URGENT_REGIME, RULES, load_rules
from .timeline import local_time

# The obligations an agency owes (they run on the agency's regime and need an agency).
AGENCY_OBLIGATIONS = frozenset(
    {
        Obligation.ACKNOWLEDGE,
        Obligation.MARK_DISPUTED,
        Obligation.RESPOND,
        Obligation.INFORMATION_REQUEST,
        Obligation.COMPLIANCE,
    }
)
# What a referral opens, in this order.
REFERRAL_OBLIGATIONS = (Obligation.ACKNOWLEDGE, Obligation.MARK_DISPUTED, Obligation.RESPOND)
# The subject key of the citizen's reply clock to an agency's answer.
CITIZEN_REPLY_TO_RESPONSE = "agency_response"


def rule_current(*, code: str) -> ClockRule:
    """The newest active version of the rule `code` (ServiceError if there is none)."""
    rule = ClockRule.objects.filter(code=code, active=True).order_by("-version").first()
    if rule is None and any(row["code"] == code for row in RULES):
        # The seeded rules are missing (a database flushed after the data migration ran): reload
        # them; existing rows, including deactivated ones, are left as they are.
        load_rules(ClockRule)
        rule = ClockRule.objects.filter(code=code, active=True).order_by("-version").first()
    if rule is None:
        raise ServiceError(f"Unknown clock rule {code!r}.", field="rule_code", code="unknown_rule")
    return rule


def owed_by_default(*, obligation: str, agency: Agency | None) -> str:
    """Who owes an obligation when the caller does not say: the agency named, the citizen for a
    reply, an agency for an agency obligation (which then needs one), else the ombudsman."""
    if agency is not None or obligation in AGENCY_OBLIGATIONS:
        return OwedBy.AGENCY
    if obligation == Obligation.CITIZEN_REPLY:
        return OwedBy.CITIZEN
    return OwedBy.OMBUDSMAN


def rule_code_for(*, agency: Agency | None, obligation: str, urgent: bool) -> str:
    """The rule an obligation runs on: the agency's regime, else the ombudsman's defaults."""
    regime = (
        AgencyClockRegime.objects.filter(agency=agency, obligation=obligation).first() if agency is not None else None
    )
    return rule_code_of_regime(regime, obligation=obligation, urgent=urgent)


def rule_code_of_regime(regime: AgencyClockRegime | None, *, obligation: str, urgent: bool) -> str:
    """`rule_code_for` once the agency's regime row (or None) is known (bulk starts read them all
    in one query)."""
    if urgent:
        if regime is not None and regime.urgent_rule_code:
            return regime.urgent_rule_code
        if obligation in DEFAULT_URGENT_REGIME:
            return DEFAULT_URGENT_REGIME[obligation]
    if regime is not None:
        return regime.rule_code
    return DEFAULT_REGIME[obligation]


def rule_due_date(*, rule: ClockRule, received: date, jurisdiction: str | None = None) -> cal.DueDate:
    """The public calculator behind `GET /api/v1/clock-rules/{code}/due-date`."""
    jur = jurisdiction or rule.jurisdiction or DEFAULT_JURISDICTION
    try:
        due = cal.compute_due(rule.period, received, jur)
    except UnknownJurisdiction as exc:
        raise ServiceError(str(exc), field="jurisdiction") from exc
    return cal.DueDate(received=due.received, due=due.due, explanation=rule_prefix(rule, jur) + due.explanation)


def rule_prefix(rule: ClockRule, jurisdiction: str) -> str:
    """How an explanation names the rule and the calendar it counted in."""
    return f"Rule {rule.code} v{rule.version} ({rule.title}), {jurisdiction} calendar: "


def jurisdiction_for(rule: ClockRule, agency: Agency | None, complaint: Complaint) -> str:
    """A rule with its own calendar uses it; otherwise the owing agency's (or the respondent's)."""
    if rule.jurisdiction:
        return rule.jurisdiction
    if agency is not None:
        return agency.jurisdiction
    return complaint.respondent.jurisdiction or DEFAULT_JURISDICTION


def extension_due(
    *, clock: Clock, now: datetime, consumer_information_at: datetime | None
) -> tuple[cal.DueDate, datetime, str]:
    """What the rule's one extension gives a running clock asked at `now`: the new due date, the
    new due time (pauses included) and the basis in words. ServiceError when the rule's
    precondition does not hold (FCRA: the consumer sent more information inside the first period;
    GDPR: the extension is notified inside the first month) or the clock has run out."""
    rule = clock.rule
    ext = rule.extension_period
    if ext is None:
        raise ServiceError(f"Rule {rule.code} allows no extension.", field="rule", code="no_extension")
    first_end = clock.due_at + (now - clock.paused_at if clock.paused_at else timedelta(0))
    if rule.extension_precondition == ExtensionPrecondition.NOTICE_WITHIN_FIRST_PERIOD and now >= first_end:
        raise ServiceError(
            f"Rule {rule.code}: the {ext.describe()} extension must be notified inside the first period, which "
            f"ended {local_time(first_end, clock.jurisdiction)}; it is now {local_time(now, clock.jurisdiction)}.",
            field="extension",
            code="extension_precondition",
        )
    if now >= first_end:
        raise ServiceError(
            f"Too late: the extension had to be made before the clock ran out "
            f"({local_time(first_end, clock.jurisdiction)}).",
            field="extension",
            code="extension_too_late",
        )
    if rule.extension_precondition == ExtensionPrecondition.CONSUMER_INFORMATION_WITHIN_PERIOD:
        info_at = consumer_information_at
        if info_at is None or not (clock.started_at <= info_at < first_end) or info_at > now:
            raise ServiceError(
                f"Rule {rule.code}: the {ext.describe()} extension is allowed only if the consumer sent more "
                f"information inside the first period ({local_time(clock.started_at, clock.jurisdiction)} to "
                f"{local_time(clock.due_at, clock.jurisdiction)}); none is recorded.",
                field="consumer_information_at",
                code="extension_precondition",
            )
        basis = f"the consumer sent more information on {local_time(info_at, clock.jurisdiction)}"
    elif rule.extension_precondition == ExtensionPrecondition.NOTICE_WITHIN_FIRST_PERIOD:
        basis = f"notified on {local_time(now, clock.jurisdiction)}, inside the first period"
    else:
        basis = "no precondition"
    if ext.unit == rule.period.unit:
        combined = cal.Period(rule.amount + ext.amount, ext.unit, rule.count_start_day, rule.roll_forward)
        due = cal.compute_due(combined, clock.received_on, clock.jurisdiction)
    else:
        due = cal.compute_due(ext, clock.due_on, clock.jurisdiction)
    new_due_at = cal.end_of_day(clock.jurisdiction, due.due) + timedelta(seconds=clock.paused_seconds)
    return due, new_due_at, basis
