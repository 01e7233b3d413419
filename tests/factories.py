"""factory_boy factories for the domain; services are used where the workflow matters."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone
from django.utils.text import slugify

from jps import models as m


class ForceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Force
        django_get_or_create = ("code",)

    code = "KNT"
    name = "Kent Police"
    slug = "kent"


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.District

    force = factory.SubFactory(ForceFactory)
    name = factory.Sequence(lambda n: f"District {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class NeighbourhoodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Neighbourhood

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"Ward {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Agency

    name = factory.Sequence(lambda n: f"Agency {n}")
    kind = m.Agency.Kind.DISTRICT_COUNCIL
    force = factory.SubFactory(ForceFactory)


class PoliceAgencyFactory(AgencyFactory):
    class Meta:
        model = m.Agency
        django_get_or_create = ("name",)

    name = "Kent Police"
    kind = m.Agency.Kind.POLICE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    first_name = "Sam"
    last_name = factory.Sequence(lambda n: f"Tester{n}")
    role = m.User.Role.OFFICER
    agency = factory.SubFactory(PoliceAgencyFactory)
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def districts(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create and extracted:
            self.districts.set(extracted)

    @factory.post_generation
    def neighbourhoods(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create and extracted:
            self.neighbourhoods.set(extracted)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Category
        django_get_or_create = ("slug",)

    name = "Anti-social behaviour: rowdy and inconsiderate"
    slug = "asb-rowdy"
    group = "Anti-social behaviour"


class ProblemFactory(factory.django.DjangoModelFactory):
    """A problem in scanning, made directly (not through the service) for fixtures."""

    class Meta:
        model = m.Problem

    reference = factory.Sequence(lambda n: f"KNT-2026-{n + 1:05d}")
    title = factory.Sequence(lambda n: f"Youths gathering at the parade {n}")
    description = "Residents report groups drinking and shouting late in the evening."
    problem_statement = "Youths gathering outside the off-licence on Station Road, 7-10pm, deterring customers."
    category = factory.SubFactory(CategoryFactory)
    neighbourhood = factory.SubFactory(NeighbourhoodFactory)
    district = factory.LazyAttribute(lambda o: o.neighbourhood.district)
    force = factory.LazyAttribute(lambda o: o.neighbourhood.district.force)
    source = m.Source.PACT_MEETING
    originator = "Station Road residents' association"
    owner = factory.SubFactory(UserFactory)
    lead_agency = factory.LazyAttribute(lambda o: o.owner.agency)
    created_by = factory.LazyAttribute(lambda o: o.owner)
    next_review_due = factory.LazyFunction(
        lambda: __import__("datetime").date.today() + __import__("datetime").timedelta(days=28)
    )


class ReviewTierFactory(factory.django.DjangoModelFactory):
    """One of a force's review tiers: "high risk, the inspector every 28 days"."""

    class Meta:
        model = m.ReviewTier

    force = factory.SubFactory(ForceFactory)
    risk = m.Risk.HIGH
    tier = m.Tier.INSPECTOR
    every_days = 28


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Person

    force = factory.SubFactory(ForceFactory)
    name = factory.Sequence(lambda n: f"Resident {n}")
    created_by = factory.SubFactory(UserFactory)


class VictimLinkFactory(factory.django.DjangoModelFactory):
    """A person on a problem as its victim (the link a risk assessment hangs on)."""

    class Meta:
        model = m.ProblemPerson

    problem = factory.SubFactory(ProblemFactory)
    person = factory.SubFactory(
        PersonFactory, force=factory.SelfAttribute("..problem.force"), created_by=factory.SelfAttribute("..added_by")
    )
    role = m.PersonRole.VICTIM
    added_by = factory.LazyAttribute(lambda o: o.problem.owner)


class RiskQuestionnaireFactory(factory.django.DjangoModelFactory):
    """A force's own questionnaire: by default three questions weighted 1, 2 and 3; medium from 3, high from 5."""

    class Meta:
        model = m.RiskQuestionnaire
        skip_postgeneration_save = True

    force = factory.SubFactory(ForceFactory)
    version = factory.LazyAttribute(lambda o: m.RiskQuestionnaire.next_version(o.force.pk if o.force else None))
    name = "Test risk questions"
    medium_threshold = 3
    high_threshold = 5

    @factory.post_generation
    def questions(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        """``questions=[(key, weight), ...]``; the default is [("a", 1), ("b", 2), ("c", 3)]."""
        if not create:
            return
        for position, (key, weight) in enumerate(extracted or [("a", 1), ("b", 2), ("c", 3)], start=1):
            m.RiskQuestion.objects.create(
                questionnaire=self, position=position, key=key, text=f"Question {key}?", weight=weight
            )


class ContactFactory(factory.django.DjangoModelFactory):
    """A contact agreement with a victim on a problem, weekly by phone (made directly: services where it matters)."""

    class Meta:
        model = m.Contact

    link = factory.SubFactory(VictimLinkFactory)
    problem = factory.LazyAttribute(lambda o: o.link.problem)
    kind = factory.LazyAttribute(lambda o: o.link.role)
    name = factory.LazyAttribute(lambda o: o.link.person.name)
    preferred_method = m.Contact.Method.PHONE
    contact_every_days = 7
    next_contact_due = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=7))


class ContactLogFactory(factory.django.DjangoModelFactory):
    """A contact logged under an agreement, answering ``due_on`` (made directly, for figures)."""

    class Meta:
        model = m.ContactLog

    contact = factory.SubFactory(ContactFactory)
    contacted_at = factory.LazyFunction(timezone.now)
    by = factory.LazyAttribute(lambda o: o.contact.problem.owner)
    method = m.Contact.Method.PHONE
    summary = "Told them what has been done this week."
    reached = True


#: A person on a problem, a victim unless told otherwise (``role=`` for the others).
ProblemPersonFactory = VictimLinkFactory
