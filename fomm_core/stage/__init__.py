"""The stage scene: the fan takes a dancer's place in the dance clip itself (clean plate, light, depth order)."""
