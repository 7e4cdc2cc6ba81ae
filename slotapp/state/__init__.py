"""Thin Reflex states: read input, call a service, set vars."""
