"""storyteller: a nightly, illustrated, narrated bedtime story, the same code in AWS and on a laptop.

Layers, top to bottom: cli, local, households, flow and mailer, providers, dal, story, and this core.
"""

__version__ = "0.1.0"
