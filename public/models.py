"""The public statistics rollup: per agency per month, maintained incrementally from what changed
(`public.services.statistics_refresh`), so the statistics pages never read the archive.

    CaseFigures          what one case adds to the figures (per agency), kept so that a change to
                         the case moves the rollup by the difference only
    AgencyMonthFigures   the additive figures per agency per month of filing
    AgencyAnswerDays     days from referral to the first answer, per agency, in tenths of a day
                         (the median is read from it)
    OmbudsmanQuarterFigures  the ombudsman's own timeliness per quarter: cases closed, its own
                         deadlines (clocks it owes, e.g. deciding a review) met on time and due
    OmbudsmanCloseDays   days from filing to closing, per quarter closed, in tenths of a day
    StatisticsState      one row: the timeline event the rollup has read up to, and a version
                         that moves whenever a figure moves (the pages' ETag)
"""

from __future__ import annotations

from django.db import models

from agencies.models import Agency

# The additive figures, in the order of the columns below.
FIGURES = ("received", "answered", "decided", "upheld", "corrections", "on_time_met", "on_time_decided")


class AgencyMonthFigures(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="First day of the month the complaints were filed in.")
    received = models.IntegerField(default=0)
    answered = models.IntegerField(default=0)
    decided = models.IntegerField(default=0)
    upheld = models.IntegerField(default=0)
    corrections = models.IntegerField(default=0)
    on_time_met = models.IntegerField(default=0)
    on_time_decided = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "month"], name="stats_one_row_per_agency_month")]
        verbose_name_plural = "agency month figures"

    def __str__(self) -> str:
        return f"{self.agency_id} {self.month:%Y-%m}"


class AgencyAnswerDays(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    tenths = models.PositiveIntegerField(help_text="Days from referral to the first answer, in tenths of a day.")
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "tenths"], name="stats_one_row_per_agency_tenths")]
        verbose_name_plural = "agency answer days"

    def __str__(self) -> str:
        return f"{self.agency_id} {self.tenths / 10} d: {self.n}"


# The ombudsman's own additive figures per quarter.
OWN_FIGURES = ("closed", "own_met", "own_decided")


class OmbudsmanQuarterFigures(models.Model):
    quarter = models.DateField(unique=True, help_text="First day of the quarter.")
    closed = models.IntegerField(default=0)
    own_met = models.IntegerField(default=0)
    own_decided = models.IntegerField(default=0)

    class Meta:
        verbose_name_plural = "ombudsman quarter figures"

    def __str__(self) -> str:
        return f"{self.quarter:%Y-%m}"


class OmbudsmanCloseDays(models.Model):
    quarter = models.DateField()
    tenths = models.PositiveIntegerField(help_text="Days from filing to closing, in tenths of a day.")
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["quarter", "tenths"], name="stats_one_row_per_quarter_tenths")]
        verbose_name_plural = "ombudsman close days"

    def __str__(self) -> str:
        return f"{self.quarter:%Y-%m} {self.tenths / 10} d: {self.n}"


class CaseFigures(models.Model):
    # A plain complaint id (no foreign key): the rollup reads the archive, never the other way.
    complaint_id = models.BigIntegerField(primary_key=True)
    month = models.DateField()
    # {agency_id: {"received": 1, ..., "tenths": 23 or absent},
    #  "omb": {"q": 20264 (year * 10 + quarter closed, or filed while open), "closed": 0/1,
    #          "tenths": 417 or absent, "own_met": n, "own_decided": n}}
    figures = models.JSONField(default=dict)

    def __str__(self) -> str:
        return str(self.complaint_id)


class StatisticsState(models.Model):
    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_event_id = models.BigIntegerField(default=0, help_text="Timeline events up to this id are counted.")
    seen_event_id = models.BigIntegerField(default=0, help_text="The newest event read (some may be read again).")
    version = models.BigIntegerField(default=0, help_text="Moves whenever a figure moves.")
    changed_at = models.DateTimeField(null=True, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "statistics state"

    def __str__(self) -> str:
        return f"events <= {self.last_event_id}, version {self.version}"
