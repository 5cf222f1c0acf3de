"""``python -m cpambot``: the command line."""

from cpambot.cli.main import main

raise SystemExit(main())
