"""Operators' tools run from the `massage-course` CLI: the synthetic school and the integrity checks (verify, backup)."""
