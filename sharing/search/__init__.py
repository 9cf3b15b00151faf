"""One search over what a reader may see.

docs/architecture.md says how the packages fit together."""
