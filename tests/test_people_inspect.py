"""`python -m fomm_core inspect`: people, dancers and cuts in the original media's pixels, as JSON."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from people_fixtures import real  # noqa: F401 - fixture
from PIL import Image
from video_fixtures import write_clip

from fomm_core import RenderOptions, UserError
from fomm_core.cli import main
from fomm_core.io import open_video, read_frames
from fomm_core.people.inspect import inspect_media
from fomm_core.pipeline import plan_render


@pytest.fixture(scope="module")
def found(real, tmp_path_factory):  # noqa: F811
    out = tmp_path_factory.mktemp("inspect") / "found.json"
    assert (
        main(
            [
                "inspect",
                "--photo",
                str(real["bus"]),
                "--driving",
                str(real["multi_person"]),
                "--json",
                str(out),
            ]
        )
        == 0
    )
    return json.loads(out.read_text())


@pytest.mark.slow
def test_json_has_exactly_the_specified_fields(found):
    assert set(found) == {"photo", "clip"}
    assert set(found["photo"]) == {"size", "people", "chosen"}
    assert set(found["clip"]) == {"size", "fps", "frames", "dancers", "chosen", "cuts"}
    for person in found["photo"]["people"]:
        assert set(person) == {"box", "score", "full_body"} and len(person["box"]) == 4
    for dancer in found["clip"]["dancers"]:
        assert set(dancer) == {"id", "boxes"}


def test_photo_findings(found):
    photo = found["photo"]
    assert photo["size"] == [810, 1080]
    full = [p for p in photo["people"] if p["full_body"]]
    assert len(full) == 2 and photo["people"][photo["chosen"]]["full_body"]
    left = min(full, key=lambda p: p["box"][0])["box"]
    assert np.allclose(left, [52, 394, 245, 901], atol=25)


def test_clip_findings_at_the_clips_own_rate(found):
    clip = found["clip"]
    assert clip["size"] == [1088, 1920] and clip["fps"] == 60 and clip["frames"] == 100
    assert clip["cuts"] == []
    long = [d for d in clip["dancers"] if len(d["boxes"]) >= 20]
    assert len(long) == 2 and clip["chosen"] in {d["id"] for d in long}
    for dancer in long:
        frames = sorted(int(t) for t in dancer["boxes"])
        assert max(np.diff(frames)) <= 5 and frames[-1] >= 95
        for box in dancer["boxes"].values():
            assert 0 <= box[0] < box[2] <= 1088 and 0 <= box[1] < box[3] <= 1920


@pytest.mark.slow
def test_trimmed_frames_are_counted_after_the_trim(real):  # noqa: F811
    result = inspect_media(real["bus"], real["multi_person"], trim_start=0.5, trim_end=1.5)
    assert result.clip.frame_count == 60 and result.fps == 60
    assert max(int(t) for k in result.clip.tracks for t in k.boxes) < 60


@pytest.mark.slow
def test_rotated_photo_boxes_are_in_upright_pixels(real, tmp_path):  # noqa: F811
    upright = Image.open(real["bus"])
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # what a phone holding it sideways would store
    exif = Image.Exif()
    exif[0x0112] = 6  # display: rotate 90° clockwise
    path = tmp_path / "sideways.jpg"
    stored.save(path, exif=exif, quality=95)
    result = inspect_media(path).to_dict()["photo"]
    assert result["size"] == [810, 1080]
    left = min((p for p in result["people"] if p["full_body"]), key=lambda p: p["box"][0])["box"]
    assert np.allclose(left, [52, 394, 245, 901], atol=25)


@pytest.mark.slow
def test_large_photo_boxes_are_in_its_own_pixels(real, tmp_path):  # noqa: F811
    path = tmp_path / "large.png"
    Image.open(real["bus"]).resize((2430, 3240), Image.BICUBIC).save(path)  # 3x, over the 2048 px load cap
    result = inspect_media(path).to_dict()["photo"]
    assert result["size"] == [2430, 3240]
    left = min((p for p in result["people"] if p["full_body"]), key=lambda p: p["box"][0])["box"]
    assert np.allclose(left, np.array([52, 394, 245, 901]) * 3, atol=75)


@pytest.mark.slow
def test_rotated_clip_boxes_are_in_display_pixels(real, tmp_path):  # noqa: F811
    frames = list(read_frames(open_video(real["multi_person"], max_fps=60, trim_end=0.5), size=(360, 640)))
    sideways = [np.ascontiguousarray(np.rot90(f, k=-1)) for f in frames]  # stored 640x360
    path = write_clip(tmp_path / "sideways.mp4", sideways, fps=60, rotation=90)
    clip = inspect_media(real["bus"], path).to_dict()["clip"]
    assert clip["size"] == [360, 640] and clip["frames"] == 30
    upright = inspect_media(real["bus"], write_clip(tmp_path / "upright.mp4", frames, fps=60)).to_dict()[
        "clip"
    ]
    first = sorted(d["boxes"]["0"] for d in clip["dancers"])
    expected = sorted(d["boxes"]["0"] for d in upright["dancers"])
    assert len(first) == len(expected) >= 2 and np.allclose(first, expected, atol=12)


def test_missing_photo_is_a_clear_error(tmp_path, capsys):
    assert main(["inspect", "--photo", str(tmp_path / "nobody.jpg")]) == 2
    assert "nobody.jpg" in capsys.readouterr().err


@pytest.mark.slow
def test_summary_marks_the_chosen_person(real, capsys):  # noqa: F811
    assert main(["inspect", "--photo", str(real["bus"])]) == 0
    lines = capsys.readouterr().out.splitlines()
    people = [line for line in lines if line.lstrip(" *").startswith("person")]
    assert lines[0] == f"photo 810x1080: {len(people)} people" and len(people) >= 3
    assert sum(line.startswith(" * person") for line in lines) == 1
    assert sum(line.endswith("full body") for line in people) == 2


@pytest.mark.slow
def test_previews_number_the_people_and_dancers(real):  # noqa: F811
    from fomm_core.people.preview import CHOSEN, OTHER, clip_preview, photo_preview

    result = inspect_media(real["bus"], real["multi_person"])
    photo = photo_preview(real["bus"], result)
    assert photo.shape == (1080, 810, 3)
    chosen = result.people[result.person].box
    edge = photo[int(chosen.y0) + 20 : int(chosen.y1) - 20, max(0, int(chosen.x0) - 1) : int(chosen.x0) + 2]
    assert (np.abs(edge.astype(int) - CHOSEN).sum(axis=2) == 0).mean() > 0.9  # its box is drawn in pink
    others = [p.box for i, p in enumerate(result.people) if i != result.person]
    b = others[0]
    edge = photo[int(b.y0) + 20 : int(b.y1) - 20, max(0, int(b.x0) - 1) : int(b.x0) + 2]
    assert (np.abs(edge.astype(int) - OTHER).sum(axis=2) == 0).mean() > 0.9
    frame = clip_preview(real["multi_person"], result)
    assert frame.shape == (1920, 1088, 3)
    assert (np.abs(frame.astype(int) - CHOSEN).sum(axis=2) == 0).sum() > 1000  # the followed dancer's box
    assert (np.abs(frame.astype(int) - OTHER).sum(axis=2) == 0).sum() > 1000  # and the other one's


def test_clip_only_inspection_at_a_render_rate_and_length_limit(real):  # noqa: F811
    result = inspect_media(None, real["multi_person"], max_fps=30, max_duration=5)
    assert result.fps == 30 and result.clip.frame_count == 50 and set(result.to_dict()) == {"clip"}
    assert result.photo_size is None and result.people == [] and result.person is None
    assert max(t for k in result.clip.tracks for t in k.boxes) < 50
    with pytest.raises(UserError, match="1 s"):
        inspect_media(None, real["multi_person"], max_fps=30, max_duration=1)  # the clip is 1.67 s long


@pytest.mark.slow
def test_preview_dancer_ids_are_the_ones_the_render_follows(real):  # noqa: F811
    options = RenderOptions(max_duration=5)
    found = inspect_media(None, real["multi_person"], max_fps=options.max_fps, max_duration=5)
    assert [k.id for k in found.clip.tracks] == [0, 1]
    default = plan_render(real["bus"], real["multi_person"], options)
    assert f"dancer {found.dancer} (moves most" in " ".join(default.notes)
    for track in found.clip.tracks:
        plan = plan_render(real["bus"], real["multi_person"], replace(options, dancer=track.id))
        other = next(k for k in found.clip.tracks if k is not track)
        for t, box in track.boxes.items():  # the crop is on this dancer, nearer them than the other one
            cx, cy = plan.framing.centres[t]
            assert box.x0 < cx < box.x1 and box.y0 < cy < box.y1
            if t in other.boxes:
                assert np.hypot(cx - box.cx, cy - box.cy) < np.hypot(
                    cx - other.boxes[t].cx, cy - other.boxes[t].cy
                )
