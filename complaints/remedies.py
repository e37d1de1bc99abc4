"""The one vocabulary of remedies: what a citizen asks for when filing (`Complaint.remedies_sought`)
and what a determination orders (the `kind` of each item of `Determination.remedies` and of
`CorrectionOrder.actions` in the tribunal). Plain data, no ORM.

Each remedy has two plain-language names, both translated (locale/): `label`, the citizen's ask
("Correct the record"), and `order_label`, the order an agency receives ("Correct a field of the
record").
"""

from __future__ import annotations

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Remedy(models.TextChoices):
    CORRECT = "correct", _("Correct the record")
    DELETE = "delete", _("Delete the record")
    LIFT_SANCTION = "lift_sanction", _("Lift a sanction")
    DISCLOSE_CRITERIA = "disclose_criteria", _("Explain the scoring criteria")
    ANNOTATE = "annotate", _("Add my statement to the record")
    APOLOGY = "apology", _("An apology")
    COMPENSATION = "compensation", _("Compensation")

    @property
    def order_label(self) -> Promise:
        """The remedy as a determination orders it."""
        return ORDER_LABELS[self]


ORDER_LABELS: dict[Remedy, Promise] = {
    Remedy.CORRECT: _("Correct a field of the record"),
    Remedy.DELETE: _("Delete the entry"),
    Remedy.LIFT_SANCTION: _("Lift a sanction"),
    Remedy.DISCLOSE_CRITERIA: _("Disclose the scoring criteria"),
    Remedy.ANNOTATE: _("Annotate the record with the citizen's statement"),
    Remedy.APOLOGY: _("Apologise"),
    Remedy.COMPENSATION: _("Pay compensation"),
}

# Choices for the officer's determination form (the order's wording).
ORDER_CHOICES: list[tuple[str, Promise]] = [(r.value, ORDER_LABELS[r]) for r in Remedy]

# Remedies that change the record itself: every holder of the record must carry them out (the
# others, apology, compensation and disclosing criteria, are the respondent's alone).
RECORD_REMEDIES: frozenset[Remedy] = frozenset({Remedy.CORRECT, Remedy.DELETE, Remedy.LIFT_SANCTION, Remedy.ANNOTATE})
