"""Framing the dancer like the model's training data: the crop path through the clip, the photo matched to it.

square_crop cuts squares; heuristic finds one person by background difference; crop_path follows the dancer
through the clip; people frames the pose model's people (falling back to the heuristic); photo_match frames
the photo like the dancer.
"""
