"""Motion-model checkpoints: which exist (registry), how their files are stored (formats), getting them here and
checking them (fetch, hash_cache), their inference state (states), and a model built from one (load)."""
