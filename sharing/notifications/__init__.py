"""How people and systems are told: the outbox's dispatch, the inbox,
e-mail and digests, webhooks, and each person's and state's preferences.

docs/architecture.md says how the packages fit together."""
