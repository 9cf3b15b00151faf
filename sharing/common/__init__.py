"""What every kind of shared item has: the audience rule, versions, files, the
outbox, the reading audit, and the pieces their pages and API share.

docs/architecture.md says how the packages fit together."""
