"""The networks, one file each; they know nothing of files or video."""
