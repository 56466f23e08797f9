"""The First Order Motion Model's networks (batch-normalised blocks)."""
