"""`python -m bootstrap` is `regboot`."""

from bootstrap.cli import main

main()
