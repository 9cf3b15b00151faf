"""Threat and risk notices: drafted, published, amended, withdrawn,
acknowledged and discussed.

docs/architecture.md says how the packages fit together."""
