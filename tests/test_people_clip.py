"""Following dancers through real clips (Pose2Sim's demo videos), shot cuts, and the default dancer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from people_fixtures import real  # noqa: F401 - fixture
from video_fixtures import dancer_frames

from fomm_core.evaluate.real import real_videos
from fomm_core.geometry import Box
from fomm_core.io import open_video, read_frames
from fomm_core.people import choose_dancer, default_landmarker, find_dancers, track_people
from fomm_core.people.clip import MAX_STEP, Track, lasting
from fomm_core.people.cuts import CutFinder
from fomm_core.people.photo import find_more

SIZE = (360, 640)
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module")
def clips(real):  # noqa: F811
    """The two-person and the one-person clip, all 100 frames at 60 fps, read at 360x640."""
    return {
        name: list(read_frames(open_video(real[name], max_fps=60), size=SIZE))
        for name in ("multi_person", "single_person")
    }


@pytest.fixture(scope="module")
def model():
    found = default_landmarker()
    assert found is not None, "the pose model must load here (scripts/install_test_deps.sh fetches it)"
    return found


def _centre_jumps(track) -> float:
    """Largest move of the box centre between two consecutive boxes, in box heights."""
    frames = sorted(track.boxes)
    moves = [
        np.hypot(track.boxes[b].cx - track.boxes[a].cx, track.boxes[b].cy - track.boxes[a].cy)
        / track.boxes[a].height
        for a, b in zip(frames, frames[1:], strict=False)
    ]
    return max(moves)


def test_two_person_clip_gives_two_stable_tracks(clips, model):
    people = track_people(clips["multi_person"], 60.0, model)
    assert people.cuts == []
    long = [k for k in people.tracks if len(k.boxes) >= 20]
    assert len(long) == 2
    for track in long:
        frames = sorted(track.boxes)
        assert frames[0] == 0 and frames[-1] >= 95  # followed from start to end
        assert max(np.diff(frames)) <= 5  # a box at least every 5th frame
        assert _centre_jumps(track) < 0.35  # one id stays on one person
    a, b = long
    shared = sorted(set(a.boxes) & set(b.boxes))
    assert np.mean([a.boxes[t].iou(b.boxes[t]) < 0.5 for t in shared]) > 0.9  # two people, not one twice
    # the woman near the camera stands lower in the frame than the man behind her
    lower = max(long, key=lambda k: k.boxes[0].y1)
    man = min(long, key=lambda k: k.boxes[0].y1)
    assert lower.boxes[0].height > 1.05 * man.boxes[0].height
    assert choose_dancer(people) == man.id  # he lunges and swings his arms; she mostly stands


def test_one_person_clip_gives_one_dancer(clips, model):
    people = track_people(clips["single_person"], 60.0, model)
    assert len(people.tracks) == 1 and choose_dancer(people) == people.tracks[0].id
    frames = sorted(people.tracks[0].boxes)
    assert frames[0] == 0 and frames[-1] >= 95 and max(np.diff(frames)) <= MAX_STEP  # followed throughout
    assert _centre_jumps(people.tracks[0]) < 0.35


def test_a_cut_between_two_real_shots_is_found_and_the_dancer_found_again(clips, model):
    frames = clips["multi_person"][:60] + clips["single_person"][:60]
    people = track_people(frames, 60.0, model)
    assert people.cuts == [60]
    across = [k for k in people.tracks if min(k.boxes) < 60 and max(k.boxes) > 100]
    assert len(across) == 1  # the man is in both shots and keeps his id
    woman = [k for k in people.tracks if k is not across[0] and len(k.boxes) >= 10]
    assert len(woman) == 1 and max(woman[0].boxes) < 60  # only in the first shot


@pytest.mark.parametrize(
    "first,second", [("plain", "gradient"), ("floor", "texture"), ("texture", "texture")]
)
def test_hard_cut_between_synthetic_shots_is_found_at_its_frame(first, second):
    a, _ = dancer_frames(12, backdrop=first, seed=1)
    b, _ = dancer_frames(14, backdrop=second, seed=2, travel=0.5)
    finder = CutFinder()
    assert [t for t, frame in enumerate(a + b) if finder(frame)] == [12]


def test_no_cut_in_one_moving_shot():
    frames, _ = dancer_frames(30, backdrop="texture", seed=3, travel=0.8)
    finder = CutFinder()
    assert not any(finder(frame) for frame in frames)


@pytest.mark.slow
def test_dancers_in_a_file_are_given_in_display_pixels(real, model):  # noqa: F811
    info = open_video(real["multi_person"], max_fps=60)
    people = find_dancers(info, model)
    assert (people.width, people.height, people.frame_count) == (info.width, info.height, 100)
    for track in people.tracks:
        for box in track.boxes.values():
            assert -1 <= box.x0 < box.x1 <= info.width + 1 and -1 <= box.y0 < box.y1 <= info.height + 1
    assert max(b.height for k in people.tracks for b in k.boxes.values()) > 0.4 * info.height


def test_fallback_without_the_model_still_finds_one_dancer_and_cuts(tmp_path):
    from video_fixtures import write_clip

    a, _ = dancer_frames(15, backdrop="plain", seed=1)
    b, _ = dancer_frames(15, backdrop="gradient", seed=2)
    info = open_video(write_clip(tmp_path / "cut.mp4", a + b, fps=15), max_fps=30)
    people = find_dancers(info, None)
    assert people.cuts == [15]
    assert len(people.tracks) == 1 and len(people.tracks[0].boxes) >= 5


def _crossing(frames: list[np.ndarray], model) -> list[np.ndarray]:
    """The clip with a mirrored copy of its dancer walking in front of them from right to left."""
    h, w = frames[0].shape[:2]
    out = []
    for t, frame in enumerate(frames):
        person = next(p for p in find_more(frame, model, windows=False) if p.full_body)
        mask = (person.mask(h, w) > 0.5)[:, ::-1]
        mirrored = frame[:, ::-1]
        dx = round(160 - 320 * t / (len(frames) - 1))
        src, dst = slice(max(0, -dx), min(w, w - dx)), slice(max(0, dx), min(w, w + dx))
        shifted, shifted_mask = np.zeros_like(frame), np.zeros_like(mask)
        shifted[:, dst], shifted_mask[:, dst] = mirrored[:, src], mask[:, src]
        crossed = frame.copy()
        crossed[shifted_mask] = shifted[shifted_mask]
        out.append(crossed)
    return out


@pytest.mark.slow
def test_ids_stay_with_their_dancers_through_a_crossing(real, model):  # noqa: F811
    frames = list(read_frames(open_video(real["single_person"], max_fps=30), size=SIZE))
    people = track_people(_crossing(frames, model), 30.0, model)
    assert people.cuts == []
    long = [k for k in people.tracks if len(k.boxes) >= 15]
    assert len(long) == 2
    walker = min(long, key=lambda k: k.boxes[max(k.boxes)].cx - k.boxes[min(k.boxes)].cx)
    dancer = next(k for k in long if k is not walker)
    # the walker crosses from right to left over the dancer, who keeps to the left half, then lunges right
    assert walker.boxes[min(walker.boxes)].cx > 250 and walker.boxes[max(walker.boxes)].cx < 80
    assert dancer.boxes[0].cx < 180 and max(dancer.boxes) >= 44
    for track in long:
        assert _centre_jumps(track) < 0.35  # no id jumps from one man to the other


def test_crowds_are_followed_less_often_but_at_least_every_5th_frame():
    from fomm_core.people.clip import tracking_step

    assert [tracking_step(30, n) for n in (1, 2, 6, 9, 30)] == [2, 2, 2, 3, 5]
    assert [tracking_step(60, n) for n in (1, 2, 9)] == [4, 4, 5]
    assert tracking_step(12, 1) == 1 and tracking_step(24, 9) == 3
    # dancers who all move slowly are followed about 6 times a second
    assert [tracking_step(30, n, calm=True) for n in (1, 2, 9)] == [5, 5, 5]
    assert tracking_step(25, 2, calm=True) == 4 and tracking_step(12, 1, calm=True) == 2


@pytest.mark.slow
def test_a_calm_dancer_is_followed_about_six_times_a_second(real, model):  # noqa: F811
    frames = list(read_frames(open_video(real["single_person"], max_fps=30), size=SIZE))
    (track,) = track_people(frames, 30.0, model).tracks  # 50 frames; he moves slowly
    followed = sorted(track.boxes)
    assert len(followed) <= 16  # 25 at 15 times a second
    assert followed[0] == 0 and followed[-1] >= 45 and max(np.diff(followed)) <= MAX_STEP


def test_fleeting_tracks_are_dropped_and_the_rest_renumbered():
    def track(number: int, frames: range) -> Track:
        return Track(id=number, boxes={t: Box(0, 0, 10, 20) for t in frames})

    dancer, flash, passer = track(0, range(0, 150, 2)), track(1, range(40, 42)), track(2, range(90, 92))
    kept = lasting([dancer, flash, passer], frame_count=150)  # 2 sightings in 150 frames: 1.3%
    assert [(k.id, len(k.boxes)) for k in kept] == [(0, 75)]
    short = lasting([track(0, range(0, 2)), track(3, range(4, 10))], frame_count=50)  # 2 of 50: 4%
    assert [(k.id, len(k.boxes)) for k in short] == [(0, 2), (1, 6)]
    double = lasting([track(0, range(0, 50, 2)), track(1, range(48, 49))], frame_count=50)  # 1 of 50: 2%
    assert [(k.id, len(k.boxes)) for k in double] == [(0, 25)]


@pytest.mark.slow
def test_a_one_frame_double_in_a_short_real_clip_is_not_a_dancer(model):
    (clip,) = real_videos(["multi_person/cam03"]).values()
    found = find_dancers(open_video(clip, max_fps=30), model)  # 50 frames; a double was seen once at frame 48
    assert [k.id for k in found.tracks] == [0, 1]
    assert all(len(k.boxes) >= 10 for k in found.tracks)


@pytest.mark.slow
def test_the_second_example_clip_has_one_dancer(model):
    found = find_dancers(open_video(EXAMPLES / "dance-2.mp4"), model)  # a one-sighting false find was here
    assert len(found.tracks) == 1 and found.tracks[0].id == 0
    frames = sorted(found.tracks[0].boxes)
    assert frames[0] == 0 and frames[-1] >= 145 and max(np.diff(frames)) <= MAX_STEP  # followed throughout


def test_a_dancer_hidden_for_a_third_of_a_second_comes_back_with_their_id(clips, model):
    import json

    labels = json.loads((Path(__file__).parent / "data" / "people" / "pose2sim.json").read_text())
    man = labels["multi_person/cam01"]["people"][labels["multi_person/cam01"]["mover"]]
    scale = SIZE[0] / 1088
    frames = []
    for t, frame in enumerate(clips["multi_person"]):
        if 30 <= t < 50:  # painted over with the wall's colour around where he stands
            nearest = man[str(min((int(k) for k in man), key=lambda k: abs(k - t)))]
            x0, y0, x1, y1 = (round(v * scale) for v in nearest)
            frame = frame.copy()
            frame[max(0, y0 - 20) : y1 + 20, max(0, x0 - 20) : x1 + 20] = frame[:40, :40].mean(axis=(0, 1))
        frames.append(frame)
    people = track_people(frames, 60.0, model)
    assert len(people.tracks) == 2
    him = min(people.tracks, key=lambda k: k.boxes[0].y1)  # he stands behind her, higher in the frame
    assert not any(30 < t < 50 for t in him.boxes)
    assert min(t for t in him.boxes if t >= 50) <= 56 and max(him.boxes) >= 95  # back within 6 frames
