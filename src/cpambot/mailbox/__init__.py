"""Stage 1, the mailbox: IMAP and Maildir sources, headers, sender trust, the ledger and the ingest."""
