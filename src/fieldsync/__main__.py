"""``python -m fieldsync``: the ``fieldsync`` command."""

import sys

from fieldsync.cli import main

if __name__ == "__main__":
    sys.exit(main())
