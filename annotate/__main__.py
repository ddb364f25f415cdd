"""`python -m annotate` runs the command line, like the `annotate` script."""

from .cli import main

main()
