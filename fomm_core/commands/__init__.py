"""One module per command-line command (see fomm_core.cli)."""
