"""The peer review's ratings: what one holds (record), where they are kept (store, mirror), who may rate and how
often (raters), and what they add up to (aggregate)."""
