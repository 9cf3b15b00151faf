from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.choices import Role, StateStatus
from accounts.models import Invitation, State, User

PASSWORD = "correct horse battery staple"


class StateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = State
        django_get_or_create = ("code",)

    code = "DK"
    name = factory.LazyAttribute(lambda s: f"State {s.code}")
    status = StateStatus.SUBSCRIBING


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person {n}")
    state = factory.LazyFunction(lambda: State.objects.get(pk="DK"))
    role = Role.VIEWER

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    state = factory.LazyFunction(lambda: State.objects.get(pk="DK"))
    role = Role.OFFICER
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
