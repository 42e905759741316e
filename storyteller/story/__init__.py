"""A story's text and its rules: verse laid out in stanzas, the checks every draft passes, reading levels.

Plain functions on text (and on a character's description), below the providers, which write to them.
"""
