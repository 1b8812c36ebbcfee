from certcore.cli import main

raise SystemExit(main())
