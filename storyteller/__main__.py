"""`python -m storyteller`: the same command as the `storyteller` console script."""

from storyteller.cli.main import main

main()
