"""The crop following one dancer's boxes: smooth within a shot, jumping with a cut, no larger than needed."""

from __future__ import annotations

import numpy as np
from video_fixtures import dancer_frames, write_clip

from fomm_core.framing.crop_path import follow_dancer
from fomm_core.geometry import Box
from fomm_core.io import open_video


def _clip(tmp_path, n=40, size=(320, 120)):
    frames, _ = dancer_frames(n, size=size, backdrop="plain", seed=0)
    return open_video(write_clip(tmp_path / "wide.mp4", frames, fps=20), max_fps=20)


def _boxes(n, left_until, jitter=0.0, seed=0):
    """A 40x80 dancer on the left until frame `left_until`, then on the right; every 2nd frame, jittered."""
    rng = np.random.default_rng(seed)
    out = {}
    for t in range(0, n, 2):
        x = 40 if t < left_until else 240
        dx, dy = rng.normal(0, jitter, 2)
        out[t] = Box(x + dx, 20 + dy, x + 40 + dx, 100 + dy)
    return out


def test_crop_follows_the_dancer_across_a_cut_without_sliding(tmp_path):
    info = _clip(tmp_path)
    framing = follow_dancer(info, _boxes(40, left_until=20), cuts=[20])
    assert framing.moving and framing.found
    cx = framing.centres[:, 0]
    assert np.allclose(cx[:20], cx[0], atol=1) and np.allclose(
        cx[20:], cx[-1], atol=1
    )  # no drift into the cut
    assert cx[-1] - cx[19] > 150  # the crop jumps with the cut


def test_crop_smooths_jittery_boxes_within_a_shot(tmp_path):
    info = _clip(tmp_path)
    boxes = _boxes(40, left_until=40, jitter=4.0)
    framing = follow_dancer(info, {t: Box(b.x0 + 5 * t, b.y0, b.x1 + 5 * t, b.y1) for t, b in boxes.items()})
    raw = np.array([boxes[t].cx + 5 * t for t in sorted(boxes)])
    assert framing.moving
    assert np.abs(np.diff(framing.centres[::2, 0], n=2)).max() < 0.5 * np.abs(np.diff(raw, n=2)).max()


def test_square_gives_up_margins_before_outgrowing_a_portrait_frame(tmp_path):
    frames, _ = dancer_frames(10, size=(90, 160), backdrop="plain", seed=0)
    info = open_video(write_clip(tmp_path / "portrait.mp4", frames, fps=20), max_fps=20)
    framing = follow_dancer(info, {0: Box(10, 10, 80, 150), 8: Box(12, 10, 82, 150)})
    assert framing.side <= 140.5  # the dancer's own extent; margins would make it 168 (> the 90 px width)
    assert framing.side >= 140
