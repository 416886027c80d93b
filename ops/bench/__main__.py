"""`python -m ops.bench`: the same as `motcua bench`."""

from ops.bench.cli import main

raise SystemExit(main())
