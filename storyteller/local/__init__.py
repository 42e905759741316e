"""The local AWS: moto behind a durable, signed endpoint, with the pipe, bus, schedules and outbox around it.

What `storyteller up` runs so the same handlers and state machine work offline; never packaged for Lambda.
"""
