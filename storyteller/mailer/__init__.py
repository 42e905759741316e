"""One picture-book email per (story, recipient), the same in AWS (SES) and locally (outbox, SMTP).

The message, its sending and its unsubscribe links; the records it keeps are in storyteller/mail.py.
"""
