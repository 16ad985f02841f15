"""``python -m semcom`` runs the command line."""

from semcom.cli.app import main

main()
