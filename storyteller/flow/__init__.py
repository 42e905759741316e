"""The run around the story: tonight's story written, its media, the events and state machine, retries.

The steps the Lambda handlers and the local runtime both run; each uses the data layer and the providers.
"""
