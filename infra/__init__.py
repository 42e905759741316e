"""The CDK app's constructs, one per concern: storage, pipeline, workflow, frontend, monitoring."""
