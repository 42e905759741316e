"""One picture-book email per (story, recipient), the same in AWS (SES) and locally (outbox, SMTP)."""
