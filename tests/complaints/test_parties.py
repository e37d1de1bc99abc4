"""Who counts as a party to a case (complaints.parties), without a database: the model instances
are built in memory, so these run in the mutation-testing selection. The same guard, reached
through the services, is tested against real rows in tests/complaints/test_guards.py."""

import pytest
from django.db.models import Q

from accounts.models import Role, User
from agencies.models import Agency
from citizens.models import Citizen
from complaints.models import Complaint
from complaints.parties import check_may_act, citizen_side_q, citizens_of_user_q
from kernel.actors import Actor, ActorKind
from kernel.errors import NotAllowed

OWN_CASES = "You can act only on your own cases or those of people you represent."
NOT_REFERRED = "This case is not referred to your agency."


def user(pk: int, role: str = Role.CITIZEN) -> User:
    return User(pk=pk, email=f"u{pk}@example.org", role=role)


CITIZEN_USER = user(1)
REPRESENTATIVE = user(2)
STRANGER = user(3)
RESPONDENT = Agency(pk=10, name_en="Respondent court", slug="respondent")
RECIPIENT = Agency(pk=11, name_en="Recipient bank", slug="recipient")
OTHER = Agency(pk=12, name_en="Other agency", slug="other")


def complaint(*, respondent: Agency | None = RESPONDENT, citizen_user: User | None = CITIZEN_USER) -> Complaint:
    citizen = Citizen(pk=100, user=citizen_user, representative=REPRESENTATIVE, full_name="Li Wei")
    c = Complaint(pk=1000, citizen=citizen)
    c.respondent = respondent
    return c


def test_the_citizen_and_their_representative_may_act():
    check_may_act(complaint(), Actor.for_user(CITIZEN_USER))
    check_may_act(complaint(), Actor.for_user(REPRESENTATIVE))
    # a minor without an account: only the representative
    check_may_act(complaint(citizen_user=None), Actor.for_user(REPRESENTATIVE))


def test_another_citizen_is_refused():
    with pytest.raises(NotAllowed) as exc:
        check_may_act(complaint(), Actor.for_user(STRANGER))
    assert str(exc.value) == OWN_CASES and exc.value.status_code == 403


def test_a_citizen_actor_without_a_user_is_refused_even_on_a_case_without_an_account():
    with pytest.raises(NotAllowed, match=OWN_CASES):
        check_may_act(complaint(), Actor(ActorKind.CITIZEN))
    with pytest.raises(NotAllowed, match=OWN_CASES):
        check_may_act(complaint(citizen_user=None), Actor(ActorKind.CITIZEN))


def test_the_respondent_agency_may_act_and_another_agency_is_refused():
    check_may_act(complaint(), Actor.for_agency(RESPONDENT))
    for agency in (RECIPIENT, OTHER):
        with pytest.raises(NotAllowed) as exc:
            check_may_act(complaint(), Actor.for_agency(agency))
        assert str(exc.value) == NOT_REFERRED and exc.value.status_code == 403


def test_an_agency_actor_without_an_agency_is_refused_even_on_a_case_without_a_respondent():
    with pytest.raises(NotAllowed, match=NOT_REFERRED):
        check_may_act(complaint(), Actor(ActorKind.AGENCY))
    with pytest.raises(NotAllowed, match=NOT_REFERRED):
        check_may_act(complaint(respondent=None), Actor(ActorKind.AGENCY))
    with pytest.raises(NotAllowed, match=NOT_REFERRED):
        check_may_act(complaint(respondent=None), Actor.for_agency(OTHER))


def test_a_step_sent_to_another_agency_belongs_to_that_agency_only():
    """An information request or a correction order sent to a recipient of the data: the
    recipient may act on it, the respondent may not."""
    check_may_act(complaint(), Actor.for_agency(RECIPIENT), agency_id=RECIPIENT.pk)
    for agency in (RESPONDENT, OTHER):
        with pytest.raises(NotAllowed, match=NOT_REFERRED):
            check_may_act(complaint(), Actor.for_agency(agency), agency_id=RECIPIENT.pk)
    with pytest.raises(NotAllowed, match=NOT_REFERRED):
        check_may_act(complaint(), Actor(ActorKind.AGENCY), agency_id=RECIPIENT.pk)


@pytest.mark.parametrize("role", [Role.OFFICER, Role.SENIOR_OFFICER])
def test_officers_act_on_every_case(role):
    officer = Actor.for_user(user(50, role))
    assert officer.kind != ActorKind.CITIZEN
    check_may_act(complaint(), officer)
    check_may_act(complaint(citizen_user=None, respondent=None), officer)
    check_may_act(complaint(), officer, agency_id=RECIPIENT.pk)


def test_the_system_acts_on_every_case():
    check_may_act(complaint(citizen_user=None, respondent=None), Actor.system())
    check_may_act(complaint(), Actor.system(), agency_id=OTHER.pk)


def test_having_filed_the_case_gives_nothing():
    c = complaint()
    c.filed_by = STRANGER
    with pytest.raises(NotAllowed):
        check_may_act(c, Actor.for_user(STRANGER))


def test_citizen_side_q_is_the_citizen_or_their_representative():
    u = CITIZEN_USER
    assert citizen_side_q(u) == Q(citizen__user=u) | Q(citizen__representative=u)
    assert citizen_side_q(u, prefix="complaint__") == Q(complaint__citizen__user=u) | Q(
        complaint__citizen__representative=u
    )


def test_citizens_of_user_q_is_the_citizen_or_those_they_represent():
    u = CITIZEN_USER
    assert citizens_of_user_q(u) == Q(user=u) | Q(representative=u)
