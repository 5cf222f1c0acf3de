from cpambot.cli.main import main

raise SystemExit(main())
