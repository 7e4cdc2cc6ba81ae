"""Use cases with I/O. Each takes `*, session` (and `now` where time matters)."""
