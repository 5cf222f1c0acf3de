"""Stage 5, approval: the digest, the approver's replies and the decisions that release a draft."""
