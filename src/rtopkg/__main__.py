"""``python -m rtopkg`` runs the command line."""

from rtopkg.cli import main

main()
