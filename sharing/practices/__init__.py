"""The best-practice library: drafted, published, amended, archived, endorsed.

docs/architecture.md says how the packages fit together."""
