"""Running the ASL on AWS's own Step Functions Local instead of moto's engine.

boto3 sends Step Functions calls to `AWS_ENDPOINT_URL_SFN` when it is set (its per-service endpoint
setting), and every other service to the local endpoint: so the state machine is created and started
there with no code path of its own. Step Functions Local then needs the way back to this stack for its
tasks: Lambda (our handlers, served in-process through moto's Lambda API), DynamoDB and SNS.
"""

from __future__ import annotations

import os

SFN_ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL_SFN"
# moto's default account: the ARNs in the definition name it, so Step Functions Local must use it too.
LOCAL_ACCOUNT_ID = "123456789012"


def external_step_functions() -> str | None:
    """The Step Functions endpoint the user chose, if any."""
    found = os.environ.get(SFN_ENDPOINT_VARIABLE, "").strip()
    return found or None


def step_functions_local_settings(endpoint_url: str, region: str) -> dict[str, str]:
    """What Step Functions Local must be started with to reach this stack (its documented variables)."""
    return {
        "AWS_DEFAULT_REGION": region,
        "AWS_ACCOUNT_ID": LOCAL_ACCOUNT_ID,
        "LAMBDA_ENDPOINT": endpoint_url,
        "DYNAMODB_ENDPOINT": endpoint_url,
        "SNS_ENDPOINT": endpoint_url,
    }
