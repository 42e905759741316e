"""Families: a new household, the default one, its schedule kept in step, its stories forgotten on removal.

What changes with a family rather than with a night; it uses the run's events to announce a change.
"""
