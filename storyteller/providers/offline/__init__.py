"""The providers that need no network: the rhyming writer, the Pillow illustrator, the neural narrator.

Local only (heavy packages, never in the Lambda asset); the factory imports them when they are chosen.
"""
