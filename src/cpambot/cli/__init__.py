"""The command line (French): every ``cpambot`` command, its output and exit codes."""
