"""``python -m fieldsync.testing.emulators serve``: the Zoho emulators over loopback HTTP."""

from fieldsync.testing.emulators.serve import main

raise SystemExit(main())
