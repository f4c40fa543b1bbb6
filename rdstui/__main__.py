from rdstui.cli import main

raise SystemExit(main())
