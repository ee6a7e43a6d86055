from __future__ import annotations

import factory

from perfloop.accounts.models import Role, User

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.REP
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def persist(user: User, create: bool, extracted: object, **kwargs: object) -> None:  # noqa: N805
        if create:
            user.save()
