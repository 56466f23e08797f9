"""The Thin-Plate Spline Motion Model's networks (instance-normalised blocks, ResNet18 regressors)."""
