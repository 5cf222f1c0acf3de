"""The service: wires the stages together for one poll, the daemon and the rebuild."""
