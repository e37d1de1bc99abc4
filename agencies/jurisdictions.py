"""The jurisdictions the service knows: one table, plain data (no ORM).

Each row is a code (ISO 3166, as stored on agencies, clock rules and clocks), its name, the IANA
time zone a clock's last day ends in, and the `holidays` package calendar whose working days the
clocks count (a country, optionally a subdivision). `agencies.models.Agency.jurisdiction` takes
its choices from here; `clocks.calendar` its time zones and holiday calendars.

Adding a jurisdiction: one row here, and a migration for the choices of `Agency.jurisdiction`
(and `ClockRule.jurisdiction`), which `makemigrations` writes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Jurisdiction:
    code: str
    name: str | Promise
    timezone: str
    holiday_country: str
    holiday_subdivision: str | None = None


JURISDICTIONS: tuple[Jurisdiction, ...] = (
    Jurisdiction("CN", _("China"), "Asia/Shanghai", "CN"),
    Jurisdiction("HK", _("Hong Kong"), "Asia/Hong_Kong", "HK"),
    Jurisdiction("US", _("United States"), "America/New_York", "US"),
    Jurisdiction("GB", _("United Kingdom"), "Europe/London", "GB"),
    Jurisdiction("AU", _("Australia"), "Australia/Sydney", "AU"),
    Jurisdiction("DE", _("Germany"), "Europe/Berlin", "DE"),
    Jurisdiction("FR", _("France"), "Europe/Paris", "FR"),
    Jurisdiction("IE", _("Ireland"), "Europe/Dublin", "IE"),
)

JURISDICTIONS_BY_CODE: dict[str, Jurisdiction] = {j.code: j for j in JURISDICTIONS}
JURISDICTION_CODES: tuple[str, ...] = tuple(sorted(JURISDICTIONS_BY_CODE))
JURISDICTION_CHOICES: list[tuple[str, str | Promise]] = [(j.code, j.name) for j in JURISDICTIONS]

# The ombudsman's own calendar: the default of agencies and of rules without one.
DEFAULT_JURISDICTION = "CN"


class UnknownJurisdiction(ValueError):
    pass


def jurisdiction_get(code: str) -> Jurisdiction:
    """The row for `code`; UnknownJurisdiction (a ValueError) naming the known codes otherwise."""
    try:
        return JURISDICTIONS_BY_CODE[code]
    except KeyError:
        raise UnknownJurisdiction(
            f"Unknown jurisdiction {code!r}; choose from {', '.join(JURISDICTION_CODES)}."
        ) from None
