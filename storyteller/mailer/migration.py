"""From SNS email subscriptions to the mailer: what the deploy removes (functions/households_setup)."""

from __future__ import annotations

from typing import Any


def remove_email_subscriptions(sns: Any, topic_arn: str) -> int:
    """Unsubscribe every `email` subscription of the story-ready topic; families keep their addresses (the
    Families table), which the mailer emails through SES. Confirmations still pending have no ARN to remove:
    SNS drops them after three days. Running it again removes nothing more."""
    removed = 0
    for page in sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic_arn):
        for subscription in page["Subscriptions"]:
            arn = subscription["SubscriptionArn"]
            if subscription["Protocol"] in ("email", "email-json") and arn.startswith("arn:"):
                sns.unsubscribe(SubscriptionArn=arn)
                removed += 1
    return removed
