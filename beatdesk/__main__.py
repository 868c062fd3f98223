"""`python -m beatdesk` runs the same command as `beatdesk`."""

from beatdesk.cli import main

main()
