"""Demo data for `flask --app participation demo` and `make run`: the texts and facts are files in
`data/` (read by `content.py`), `load.py` writes them to the database, `cli.py` is the command."""
