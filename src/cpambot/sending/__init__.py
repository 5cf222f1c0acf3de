"""Stage 6, sending: the exact e-mail bytes, the exactly-once outbox, SMTP and the Sent folder."""
