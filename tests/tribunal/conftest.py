"""A sharing graph shaped like the paper's hardest case, plus a few traps for propagation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from agencies.models import Agency, DataSharingLink, RecordCategory
from citizens.models import BlacklistEntry
from tests.factories import (
    AgencyFactory,
    BlacklistEntryFactory,
    DataSharingLinkFactory,
    OfficerFactory,
    RecordCategoryFactory,
    SeniorOfficerFactory,
)


@dataclass
class Graph:
    category: RecordCategory
    other_category: RecordCategory
    court: Agency
    rail: Agency
    air: Agency
    school: Agency
    bank: Agency
    bureau: Agency
    unrelated: Agency
    entry: BlacklistEntry


def link(source: Agency, recipient: Agency, *categories: RecordCategory, **kw: object) -> DataSharingLink:
    lnk = DataSharingLinkFactory(source=source, recipient=recipient, **kw)
    if categories:
        lnk.categories.set(categories)
    return lnk


@pytest.fixture
def graph(db: None) -> Graph:
    cat = RecordCategoryFactory(code="family-extension", lawful=False, legal_basis="")
    other = RecordCategoryFactory(code="tax-only")
    court = AgencyFactory(slug="court", name_en="Harbour Court")
    rail = AgencyFactory(slug="rail", name_en="Rail")
    air = AgencyFactory(slug="air", name_en="Air")
    school = AgencyFactory(slug="school", name_en="School admissions")
    bank = AgencyFactory(slug="bank", name_en="Bank")
    bureau = AgencyFactory(slug="bureau", name_en="Bureau")
    unrelated = AgencyFactory(slug="unrelated", name_en="Unrelated")
    for recipient in (rail, air, school, bank):
        link(court, recipient, cat)
    link(bank, bureau)  # no categories: carries everything
    link(bureau, bank)  # a cycle back
    link(bureau, court)  # and back to the origin
    link(court, unrelated, other)  # other category only: not followed
    link(air, unrelated, active=False)  # inactive: not followed
    link(rail, unrelated, until=date(2021, 1, 1))  # expired: not followed
    entry = BlacklistEntryFactory(
        agency=court, category=cat, derived_from_relative=True, sanctions=["schools", "rail_travel"]
    )
    return Graph(cat, other, court, rail, air, school, bank, bureau, unrelated, entry)


@pytest.fixture
def officer():  # type: ignore[no-untyped-def]
    return OfficerFactory()


@pytest.fixture
def senior():  # type: ignore[no-untyped-def]
    return SeniorOfficerFactory()
