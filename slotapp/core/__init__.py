"""Pure domain logic: no framework, database, clock or environment access."""
