"""The `coach` subcommands, by area. Each module only parses options and calls a package; `cli.py`
assembles them into one command."""
