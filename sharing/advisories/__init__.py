"""Industry advisories: what a state releases to industry, academia and civil society
from what it shares with other states (docs/architecture.md, "Advisories")."""
