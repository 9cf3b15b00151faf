"""Licence denials, the screening of applications against them, and the
consultations of the denying state.

docs/architecture.md says how the packages fit together."""
