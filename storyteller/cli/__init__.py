"""The `storyteller` command: seeding, tonight's story now, families, the whole local stack.

The top of the package: it may use every part below it; nothing below imports it.
"""
