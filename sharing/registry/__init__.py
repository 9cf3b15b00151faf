"""The registry of entities: one record for each company, body or person that states'
items name, linked to the notice entities and denial parties that name it (by
suggestion, with an officer's confirmation), with typed relations between entities,
each citing the item that asserted it. It holds no name of its own: everything it shows
comes from an item the reader may read (docs/architecture.md, "Registry of entities")."""
