"""Stage 4: the SQLite database (``nianbao build``) served read-only by Datasette (``nianbao serve``)."""
