"""Worked due-date examples (no database): Chinese public holidays and make-up working days,
US federal holidays, month ends. Expected dates were worked out by hand from the 2026 State
Council holiday notice (as encoded in the `holidays` package) and the US federal calendar."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

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
    local_date,
    next_working_day,
    non_working_reason,
    previous_working_day,
    start_of_day,
    timezone_for,
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


UNKNOWN = "Unknown jurisdiction 'XX'; choose from AU, CN, DE, FR, GB, HK, IE, US."


def test_unknown_jurisdiction_message_lists_the_known_ones():
    with pytest.raises(UnknownJurisdiction) as exc:
        is_working_day("XX", date(2026, 1, 5))
    assert str(exc.value) == UNKNOWN
    with pytest.raises(UnknownJurisdiction) as exc:
        timezone_for("XX")
    assert str(exc.value) == UNKNOWN


def test_make_up_day_across_new_year_and_an_ordinary_week():
    # Sunday Jan 4 2026 is worked (New Year); the Saturday before it is not.
    assert is_working_day("CN", date(2026, 1, 4))
    assert not is_working_day("CN", date(2026, 1, 3))
    assert not is_working_day("CN", date(2026, 1, 1))
    assert [is_working_day("CN", date(2026, 3, d)) for d in range(2, 9)] == [True] * 5 + [False] * 2
    # Germany and the US know nothing of China's make-up days.
    assert not is_working_day("DE", date(2026, 2, 28)) and not is_working_day("US", date(2026, 10, 10))


@pytest.mark.parametrize(
    ("period", "text"),
    [
        (Period(1, Unit.CALENDAR_DAYS), "1 calendar day"),
        (Period(2, Unit.CALENDAR_DAYS), "2 calendar days"),
        (Period(1, Unit.WORKING_DAYS), "1 working day"),
        (Period(0, Unit.WORKING_DAYS), "0 working days"),
        (Period(1, Unit.WEEKS), "1 week"),
        (Period(8, Unit.WEEKS), "8 weeks"),
        (Period(1, Unit.CALENDAR_MONTHS), "1 calendar month"),
        (Period(3, Unit.CALENDAR_MONTHS), "3 calendar months"),
    ],
)
def test_period_describes_itself_in_singular_and_plural(period, text):
    assert period.describe() == text


def test_non_working_reason_names_the_holiday_or_the_weekend():
    assert non_working_reason("CN", date(2026, 10, 1)) == "National Day (CN public holiday)"
    assert non_working_reason("CN", date(2026, 10, 17)) == "a Saturday (CN weekend)"
    assert non_working_reason("US", date(2026, 11, 26)) == "Thanksgiving Day (US public holiday)"
    assert non_working_reason("DE", date(2026, 3, 1)) == "a Sunday (DE weekend)"


def test_next_and_previous_working_day():
    assert next_working_day("CN", date(2026, 3, 2)) == date(2026, 3, 2)  # already one
    assert next_working_day("CN", date(2026, 10, 1)) == date(2026, 10, 8)
    assert next_working_day("CN", date(2026, 2, 14)) == date(2026, 2, 14)  # make-up Saturday
    # previous: strictly before, skipping holidays, counting make-up days
    assert previous_working_day("CN", date(2026, 3, 4)) == date(2026, 3, 3)
    assert previous_working_day("CN", date(2026, 3, 2)) == date(2026, 2, 28)  # make-up Saturday
    assert previous_working_day("DE", date(2026, 3, 2)) == date(2026, 2, 27)
    assert previous_working_day("CN", date(2026, 10, 8)) == date(2026, 9, 30)


def test_add_working_days_counting_the_start_day():
    with pytest.raises(ValueError, match=r"^n must be at least 1$"):
        add_working_days("CN", date(2026, 3, 2), 0)
    # Monday counted as the first of two: Tuesday.
    assert add_working_days("CN", date(2026, 3, 2), 2, count_start_day=True) == date(2026, 3, 3)
    assert add_working_days("CN", date(2026, 3, 2), 2) == date(2026, 3, 4)
    # A Saturday start is not a working day, so it is not counted even when the rule says so.
    assert add_working_days("CN", date(2026, 3, 7), 1, count_start_day=True) == date(2026, 3, 9)
    assert add_working_days("CN", date(2026, 3, 7), 2, count_start_day=True) == date(2026, 3, 10)
    # 10 working days from Friday Mar 6: two weekends skipped.
    assert add_working_days("CN", date(2026, 3, 6), 10) == date(2026, 3, 20)


@pytest.mark.parametrize(
    ("period", "received", "jurisdiction", "due", "explanation"),
    [
        (
            Period(3, Unit.WORKING_DAYS),
            "2026-09-30",
            "CN",
            "2026-10-10",
            "Received 2026-09-30 (Wednesday); 3 working days, the day of receipt is not counted; counting only CN "
            "working days gives 2026-10-10 (Saturday); 7 non-working day(s) skipped (2026-10-01 .. 2026-10-07); "
            "make-up working day(s) counted: 2026-10-10 (Sat); due by the end of 2026-10-10.",
        ),
        (
            # The make-up Saturday right after receipt counts; nine days of Spring Festival do not.
            Period(5, Unit.WORKING_DAYS),
            "2026-02-13",
            "CN",
            "2026-02-27",
            "Received 2026-02-13 (Friday); 5 working days, the day of receipt is not counted; counting only CN "
            "working days gives 2026-02-27 (Friday); 9 non-working day(s) skipped (2026-02-15 .. 2026-02-23); "
            "make-up working day(s) counted: 2026-02-14 (Sat); due by the end of 2026-02-27.",
        ),
        (
            # Two make-up Saturdays, both counted.
            Period(10, Unit.WORKING_DAYS),
            "2026-02-13",
            "CN",
            "2026-03-05",
            "Received 2026-02-13 (Friday); 10 working days, the day of receipt is not counted; counting only CN "
            "working days gives 2026-03-05 (Thursday); 10 non-working day(s) skipped (2026-02-15 .. 2026-03-01); "
            "make-up working day(s) counted: 2026-02-14 (Sat), 2026-02-28 (Sat); due by the end of 2026-03-05.",
        ),
        (
            # Received on a Sunday after a make-up Saturday: neither is part of the count.
            Period(2, Unit.WORKING_DAYS),
            "2026-03-01",
            "CN",
            "2026-03-03",
            "Received 2026-03-01 (Sunday); 2 working days, the day of receipt is not counted; counting only CN "
            "working days gives 2026-03-03 (Tuesday); due by the end of 2026-03-03.",
        ),
        (
            # Four skipped days are listed one by one ...
            Period(6, Unit.WORKING_DAYS),
            "2026-03-06",
            "CN",
            "2026-03-16",
            "Received 2026-03-06 (Friday); 6 working days, the day of receipt is not counted; counting only CN "
            "working days gives 2026-03-16 (Monday); 4 non-working day(s) skipped (2026-03-07, 2026-03-08, "
            "2026-03-14, 2026-03-15); due by the end of 2026-03-16.",
        ),
        (
            # ... five or more as a range (Tomb-Sweeping Day Apr 4-6, then a weekend).
            Period(5, Unit.WORKING_DAYS),
            "2026-04-03",
            "CN",
            "2026-04-13",
            "Received 2026-04-03 (Friday); 5 working days, the day of receipt is not counted; counting only CN "
            "working days gives 2026-04-13 (Monday); 5 non-working day(s) skipped (2026-04-04 .. 2026-04-12); "
            "due by the end of 2026-04-13.",
        ),
        (
            Period(3, Unit.WORKING_DAYS, count_start_day=True),
            "2026-03-02",
            "CN",
            "2026-03-04",
            "Received 2026-03-02 (Monday); 3 working days, the day of receipt counts; counting only CN working "
            "days gives 2026-03-04 (Wednesday); due by the end of 2026-03-04.",
        ),
        (
            # GDPR month end: no Feb 31, so Feb 28; a Saturday in Germany rolls to Monday.
            Period(1, Unit.CALENDAR_MONTHS),
            "2026-01-31",
            "DE",
            "2026-03-02",
            "Received 2026-01-31 (Saturday); 1 calendar month, the day of receipt is not counted; the same date "
            "1 calendar month later is 2026-02-28 (Saturday) (that month has no day 31, so its last day); "
            "2026-02-28 is a Saturday (DE weekend), so the last day rolls forward to the next DE working day, "
            "2026-03-02 (Monday); due by the end of 2026-03-02.",
        ),
        (
            # The same day exists: no month-end note.
            Period(1, Unit.CALENDAR_MONTHS),
            "2026-03-16",
            "DE",
            "2026-04-16",
            "Received 2026-03-16 (Monday); 1 calendar month, the day of receipt is not counted; the same date "
            "1 calendar month later is 2026-04-16 (Thursday); due by the end of 2026-04-16.",
        ),
        (
            # Apr 30 -> May 30: day 30 exists in May (no note), a Saturday -> Monday Jun 1.
            Period(1, Unit.CALENDAR_MONTHS),
            "2026-04-30",
            "DE",
            "2026-06-01",
            "Received 2026-04-30 (Thursday); 1 calendar month, the day of receipt is not counted; the same date "
            "1 calendar month later is 2026-05-30 (Saturday); 2026-05-30 is a Saturday (DE weekend), so the last "
            "day rolls forward to the next DE working day, 2026-06-01 (Monday); due by the end of 2026-06-01.",
        ),
        (
            # Counting the day of receipt ends the month one day earlier.
            Period(1, Unit.CALENDAR_MONTHS, count_start_day=True),
            "2026-03-16",
            "DE",
            "2026-04-15",
            "Received 2026-03-16 (Monday); 1 calendar month, the day of receipt counts; the same date "
            "1 calendar month later is 2026-04-15 (Wednesday); due by the end of 2026-04-15.",
        ),
        (
            Period(1, Unit.CALENDAR_MONTHS, count_start_day=True),
            "2026-01-31",
            "DE",
            "2026-02-27",
            "Received 2026-01-31 (Saturday); 1 calendar month, the day of receipt counts; the same date "
            "1 calendar month later is 2026-02-27 (Friday); due by the end of 2026-02-27.",
        ),
        (
            Period(20, Unit.CALENDAR_DAYS),
            "2026-09-13",
            "CN",
            "2026-10-08",
            "Received 2026-09-13 (Sunday); 20 calendar days, the day of receipt is not counted; 2026-09-13 + 20 "
            "days = 2026-10-03 (Saturday); 2026-10-03 is National Day (CN public holiday), so the last day rolls "
            "forward to the next CN working day, 2026-10-08 (Thursday); due by the end of 2026-10-08.",
        ),
        (
            Period(30, Unit.CALENDAR_DAYS, roll_forward=False),
            "2026-06-05",
            "US",
            "2026-07-05",
            "Received 2026-06-05 (Friday); 30 calendar days, the day of receipt is not counted; 2026-06-05 + 30 "
            "days = 2026-07-05 (Sunday); 2026-07-05 is not a working day, but this rule does not roll forward; "
            "due by the end of 2026-07-05.",
        ),
        (
            Period(1, Unit.CALENDAR_DAYS, count_start_day=True),
            "2026-03-02",
            "CN",
            "2026-03-02",
            "Received 2026-03-02 (Monday); 1 calendar day, the day of receipt counts; 2026-03-02 + 0 days = "
            "2026-03-02 (Monday); due by the end of 2026-03-02.",
        ),
        (
            Period(8, Unit.WEEKS, roll_forward=False),
            "2026-11-26",
            "GB",
            "2027-01-21",
            "Received 2026-11-26 (Thursday); 8 weeks, the day of receipt is not counted; 2026-11-26 + 56 days = "
            "2027-01-21 (Thursday); due by the end of 2027-01-21.",
        ),
        (
            # Weeks counting the start day: 7 days - 1.
            Period(1, Unit.WEEKS, count_start_day=True),
            "2026-03-02",
            "GB",
            "2026-03-09",
            "Received 2026-03-02 (Monday); 1 week, the day of receipt counts; 2026-03-02 + 6 days = 2026-03-08 "
            "(Sunday); 2026-03-08 is a Sunday (GB weekend), so the last day rolls forward to the next GB working "
            "day, 2026-03-09 (Monday); due by the end of 2026-03-09.",
        ),
    ],
)
def test_explanations_show_every_number(period, received, jurisdiction, due, explanation):
    result = compute_due(period, date.fromisoformat(received), jurisdiction)
    assert (result.received, result.due) == (date.fromisoformat(received), date.fromisoformat(due))
    assert result.explanation == explanation


def test_clocks_end_in_the_time_zone_of_their_jurisdiction():
    for j in JURISDICTIONS:
        assert timezone_for(j.code) == ZoneInfo(j.timezone), j.code
        assert start_of_day(j.code, date(2026, 6, 1)).tzinfo == ZoneInfo(j.timezone), j.code


def test_a_clock_runs_out_at_local_midnight_after_its_last_day():
    shanghai = ZoneInfo("Asia/Shanghai")
    assert end_of_day("CN", date(2026, 3, 2)) == datetime(2026, 3, 3, tzinfo=shanghai)
    assert end_of_day("CN", date(2026, 3, 2)) == datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
    assert start_of_day("CN", date(2026, 3, 2)) == datetime(2026, 3, 1, 16, 0, tzinfo=UTC)
    # New York: daylight saving time starts on Sunday Mar 8 2026.
    assert start_of_day("US", date(2026, 3, 8)) == datetime(2026, 3, 8, 5, 0, tzinfo=UTC)
    assert end_of_day("US", date(2026, 3, 8)) == datetime(2026, 3, 9, 4, 0, tzinfo=UTC)


def test_local_date_is_the_calendar_day_in_the_jurisdiction():
    moment = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
    assert local_date("CN", moment) == date(2026, 3, 3)
    assert local_date("US", moment) == date(2026, 3, 2)
    assert local_date("AU", datetime(2026, 3, 2, 12, 59, tzinfo=UTC)) == date(2026, 3, 2)
    assert local_date("AU", datetime(2026, 3, 2, 13, 0, tzinfo=UTC)) == date(2026, 3, 3)
