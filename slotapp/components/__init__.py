"""Functions returning components."""
