"""Worked due-date examples (no database): Chinese public holidays and make-up working days,
US federal holidays, month ends. Expected dates were worked out by hand from the 2026 State
Council holiday notice (as encoded in the `holidays` package) and the US federal calendar."""

from datetime import UTC, date

import pytest

from agencies.jurisdictions import JURISDICTIONS, UnknownJurisdiction
from agencies.models import Agency
from clocks.calendar import (
    Period,
    Unit,
    add_months,
    add_working_days,
    compute_due,
    end_of_day,
    is_working_day,
)
from clocks.models import ClockRule
from clocks.rules_data import RULES

RULES_BY_CODE = {r["code"]: r for r in RULES}


def period(code: str) -> Period:
    r = RULES_BY_CODE[code]
    return Period(r["amount"], Unit(r["unit"]), r.get("count_start_day", False), r["roll_forward"])


def test_china_2026_make_up_days_are_working_days_and_holidays_are_not():
    # Spring Festival 2026: Feb 15-23 off; Saturdays Feb 14 and Feb 28 are make-up working days.
    assert is_working_day("CN", date(2026, 2, 14))  # Saturday, worked
    assert is_working_day("CN", date(2026, 2, 28))  # Saturday, worked
    assert not is_working_day("CN", date(2026, 2, 17))  # Spring Festival
    assert not is_working_day("CN", date(2026, 2, 23))  # Monday, day off in exchange for Feb 28
    # National Day 2026: Oct 1-7 off; Sunday Sep 20 and Saturday Oct 10 are worked.
    assert is_working_day("CN", date(2026, 9, 20))
    assert is_working_day("CN", date(2026, 10, 10))
    assert not is_working_day("CN", date(2026, 10, 6))
    # An ordinary Saturday is not worked.
    assert not is_working_day("CN", date(2026, 10, 17))


@pytest.mark.parametrize(
    ("code", "received", "jurisdiction", "due"),
    [
        # 20 days from Sun Sep 20 (itself a make-up day) = Sat Oct 10, a make-up working day: no roll.
        ("cn-credit-objection", "2026-09-20", "CN", "2026-10-10"),
        # 20 days from Sep 13 = Sat Oct 3 (National Day); Oct 4-7 are off too -> Thu Oct 8.
        ("cn-credit-objection", "2026-09-13", "CN", "2026-10-08"),
        # 3 working days from Wed Sep 30: Oct 1-7 skipped, Thu 8, Fri 9, Sat 10 (make-up day).
        ("cn-dishonest-list-correction", "2026-09-30", "CN", "2026-10-10"),
        # 3 working days from Thu Feb 12: Fri 13, Sat 14 (make-up), then Feb 15-23 off -> Tue Feb 24.
        ("cn-dishonest-list-correction", "2026-02-12", "CN", "2026-02-24"),
        # 15 days from Feb 3 = Feb 18 (Spring Festival) -> rolls over the holiday and Feb 23 to Tue Feb 24.
        ("cn-dishonest-list-review", "2026-02-03", "CN", "2026-02-24"),
        # The ombudsman's 2 working days from Thu Feb 26: Fri 27, Sat 28 (make-up day).
        ("omb-acknowledge", "2026-02-26", "CN", "2026-02-28"),
        # 20 days from Apr 15 = Tue May 5, a day off (swapped for Sat May 9) -> Wed May 6.
        ("omb-agency-response", "2026-04-15", "CN", "2026-05-06"),
        # 5 working days over Spring Festival from Fri Feb 13: Sat 14 (make-up), Tue 24, Wed 25, Thu 26, Fri 27.
        ("omb-agency-response-urgent", "2026-02-13", "CN", "2026-02-27"),
        # US: 5 business days from Tue Nov 24 skip Thanksgiving (Nov 26) and the weekend -> Wed Dec 2.
        ("us-fcra-furnisher-notice", "2026-11-24", "US", "2026-12-02"),
        # US: from Wed Jan 14: Thu 15, Fri 16, (weekend, MLK Day Jan 19), Tue 20, Wed 21, Thu 22.
        ("us-fcra-furnisher-notice", "2026-01-14", "US", "2026-01-22"),
        # 30 days, this rule does not roll: Jun 5 -> Sun Jul 5.
        ("us-fcra-reinvestigation", "2026-06-05", "US", "2026-07-05"),
        # GDPR month end: Jan 31 -> Feb 28 (no Feb 31), a Saturday in Germany -> Mon Mar 2 ...
        ("eu-gdpr-request", "2026-01-31", "DE", "2026-03-02"),
        # ... but Sat Feb 28 2026 is a working day in China (make-up day for Spring Festival).
        ("eu-gdpr-request", "2026-01-31", "CN", "2026-02-28"),
        # Leap year: Jan 31 2028 -> Tue Feb 29 2028.
        ("eu-gdpr-request", "2028-01-31", "DE", "2028-02-29"),
        # Same date next month when it exists.
        ("eu-gdpr-request", "2026-03-16", "DE", "2026-04-16"),
        ("au-credit-correction", "2026-01-01", "AU", "2026-01-31"),
        ("uk-disp-final-response", "2026-11-26", "GB", "2027-01-21"),
    ],
)
def test_worked_examples(code, received, jurisdiction, due):
    result = compute_due(period(code), date.fromisoformat(received), jurisdiction)
    assert result.due == date.fromisoformat(due), result.explanation
    assert received in result.explanation and due in result.explanation


def test_explanation_names_the_skipped_holidays_and_make_up_days():
    text = compute_due(period("cn-dishonest-list-correction"), date(2026, 9, 30), "CN").explanation
    assert "day of receipt is not counted" in text
    assert "2026-10-01 .. 2026-10-07" in text
    assert "make-up working day(s) counted: 2026-10-10 (Sat)" in text
    rolled = compute_due(period("cn-credit-objection"), date(2026, 9, 13), "CN").explanation
    assert "rolls forward" in rolled and "2026-10-08" in rolled


def test_start_day_counts_only_when_the_rule_says_so():
    p = Period(3, Unit.CALENDAR_DAYS, count_start_day=True, roll_forward=False)
    assert compute_due(p, date(2026, 3, 2), "CN").due == date(2026, 3, 4)
    assert compute_due(Period(3, Unit.CALENDAR_DAYS, roll_forward=False), date(2026, 3, 2), "CN").due == date(
        2026, 3, 5
    )
    # Working days, counting a working start day: Mon + 1 working day counted = Mon itself.
    assert add_working_days("CN", date(2026, 3, 2), 1, count_start_day=True) == date(2026, 3, 2)
    assert add_working_days("CN", date(2026, 3, 2), 1) == date(2026, 3, 3)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2026-01-31", 1, "2026-02-28"),
        ("2028-01-31", 1, "2028-02-29"),
        ("2026-03-31", 1, "2026-04-30"),
        ("2026-01-31", 3, "2026-04-30"),
        ("2026-11-30", 3, "2027-02-28"),
        ("2026-12-15", 1, "2027-01-15"),
    ],
)
def test_calendar_month_arithmetic(start, months, expected):
    assert add_months(date.fromisoformat(start), months) == date.fromisoformat(expected)


def test_unknown_jurisdiction_is_refused():
    with pytest.raises(UnknownJurisdiction, match="choose from AU, CN, DE"):
        compute_due(period("cn-credit-objection"), date(2026, 1, 5), "XX")
    with pytest.raises(UnknownJurisdiction):
        end_of_day("XX", date(2026, 1, 5))


@pytest.mark.parametrize(
    ("code", "new_year_end_utc"),
    [("CN", "2026-01-01T16:00:00+00:00"), ("US", "2026-01-02T05:00:00+00:00"), ("GB", "2026-01-02T00:00:00+00:00")],
)
def test_the_jurisdiction_table_gives_each_calendar_its_time_zone_and_holidays(code, new_year_end_utc):
    # New Year's Day is a public holiday in each; the clock's last day ends at local midnight.
    assert not is_working_day(code, date(2026, 1, 1))
    assert end_of_day(code, date(2026, 1, 1)).astimezone(UTC).isoformat() == new_year_end_utc


def test_every_jurisdiction_has_a_time_zone_and_a_holiday_calendar():
    assert len({j.code for j in JURISDICTIONS}) == len(JURISDICTIONS) == 8
    for j in JURISDICTIONS:
        assert is_working_day(j.code, date(2026, 1, 1)) is False, j.code
        assert end_of_day(j.code, date(2026, 6, 1)).tzinfo is not None


def test_agencies_and_rules_choose_from_the_same_table():
    table = [(j.code, str(j.name)) for j in JURISDICTIONS]
    for model in (Agency, ClockRule):
        field = model._meta.get_field("jurisdiction")
        assert [(code, str(name)) for code, name in field.choices] == table, model
    assert Agency._meta.get_field("jurisdiction").default == "CN"
