"""storyteller: a nightly, illustrated, narrated bedtime story."""

__version__ = "0.1.0"
