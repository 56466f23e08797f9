"""The building blocks both engines share: sampling, inference convs, conv blocks and the hourglass."""
