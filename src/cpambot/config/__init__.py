"""The configuration: one French TOML file validated into frozen values."""
