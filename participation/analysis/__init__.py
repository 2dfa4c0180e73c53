"""Groups of similar input and near-duplicates, found on the server itself (issue 17).

grouping.py works on plain data (no database, no network, no model download); services.py loads
a round's shown items for it; cli.py is the `analyse` command.
"""
