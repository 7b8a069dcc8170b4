"""Keeping files current and staffed (R18–R21, R30–R32): discipline, hand-overs."""
