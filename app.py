#!/usr/bin/env python3
"""CDK entry point: `make synth` / `make deploy` (docs/deploy.md). Settings come from cdk.json's context."""

from infra.stack import build_app

app, _ = build_app()
app.synth()
