"""The persistent state: a journaled TinyDB store, atomic private files, raw copies of messages."""
