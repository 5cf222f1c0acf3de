"""Stage 2, understanding: a raw message becomes a Reading (its kind, its facts), by pure functions."""
