"""I/O and framing figures, from one run: throughput at 256×256, peak memory 60 s vs 10 s, detector comparison.

    python benchmarks/io.py

The model is replaced by an identity animate_fn (each framed driving frame is the "result"), so what is
timed is everything around the model: probe, decode, framing, photo matching, encode and audio mux.
Targets: ≥ 100 frames/s at 256×256; peak memory for 60 s ≤ 1.2× that for 10 s.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from video_fixtures import BACKGROUNDS, dancer_frames, write_clip  # noqa: E402

from fomm_core.framing.heuristic import detect_dancers, difference, edge_background, mask_box  # noqa: E402
from fomm_core.io.ffmpeg import ffmpeg_exe  # noqa: E402


class Stub:
    """Only the frame size of a model is needed when the animation is the identity."""

    frame_size = 256


def identity(model, source, driving, **kwargs):
    """animate_fn that returns the framed driving frames: times everything but the model."""
    yield from driving


def make_inputs(folder: Path) -> tuple[Path, Path, Path]:
    """A 10 s 256×256 30 fps dance clip with a tone, the same looped to 60 s, and a photo."""
    frames, _ = dancer_frames(300, size=(256, 256), backdrop="floor", travel=0.2)
    ten = write_clip(folder / "dance10.mp4", frames, fps=30, audio="tone")
    sixty = folder / "dance60.mp4"
    subprocess.run(
        [ffmpeg_exe(), "-loglevel", "error", "-stream_loop", "5", "-i", str(ten), "-c", "copy", str(sixty)],
        check=True,
    )
    photo, _ = dancer_frames(1, size=(300, 400), backdrop="plain", seed=1)
    cv2.imwrite(str(folder / "photo.png"), cv2.cvtColor(photo[0], cv2.COLOR_RGB2BGR))
    return folder / "photo.png", ten, sixty


def worker(photo: str, clip: str, out: str) -> None:
    """Render once in this process and print timings and peak memory as JSON."""
    from fomm_core import RenderOptions
    from fomm_core.io import open_video, read_frames
    from fomm_core.pipeline import plan_render, render

    options = RenderOptions(max_duration=120)
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak (VmHWM) so imports don't mask the run
    baseline = _status_kb("VmRSS")
    t0 = time.perf_counter()
    info = open_video(clip)
    decoded = sum(1 for _ in read_frames(info, size=(256, 256)))
    t1 = time.perf_counter()
    plan = plan_render(photo, clip, options)
    t2 = time.perf_counter()
    render(plan, Stub(), out, animate_fn=identity)
    t3 = time.perf_counter()
    print(
        json.dumps(
            {
                "frames": plan.frame_count,
                "decoded": decoded,
                "decode_s": t1 - t0,
                "prepare_s": t2 - t1,
                "render_s": t3 - t2,
                "baseline_kb": baseline,
                "peak_kb": _status_kb("VmHWM"),
                "ffmpeg_peak_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
            }
        )
    )


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def run_worker(photo: Path, clip: Path, out: Path) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--worker", str(photo), str(clip), str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def detector_table() -> None:
    """Mean/min IoU against the true box and ms per frame, for each candidate detector."""

    def ours(frames):
        return detect_dancers(np.stack(frames))

    def median_only(frames):
        bg = np.median(np.stack(frames), 0).astype(np.uint8)
        return [mask_box(difference(f, bg) > 30) for f in frames]

    def edge_only(frames):
        out = []
        for f in frames:
            model, plain = edge_background(f)
            out.append(mask_box(difference(f, model) > 30) if plain else None)
        return out

    def subtractor(make):
        def run(frames):
            sub = make(detectShadows=False)
            return [mask_box(sub.apply(f) > 0) for f in frames]

        return run

    detectors = {
        "ours (edge|median)": ours,
        "edge model only": edge_only,
        "temporal median only": median_only,
        "MOG2": subtractor(cv2.createBackgroundSubtractorMOG2),
        "KNN": subtractor(cv2.createBackgroundSubtractorKNN),
    }
    print(
        "\nDancer detector on synthetic clips (48 frames, 256×144, JPEG q70 + noise): IoU mean/min, ms/frame"
    )
    print(
        f"  HOG people detector: {'available' if hasattr(cv2, 'HOGDescriptor') else 'not in OpenCV ' + cv2.__version__}"
    )
    cases = [(bg, still) for still in (False, True) for bg in BACKGROUNDS]
    print(
        "  " + " " * 22 + "".join(f"{bg[:7] + (' still' if still else ' moving'):>16}" for bg, still in cases)
    )
    clips = {}
    for bg, still in cases:
        frames, truth = dancer_frames(
            48, size=(256, 144), backdrop=bg, travel=0.0 if still else 0.3, still=still, noise=4
        )
        frames = [cv2.imdecode(cv2.imencode(".jpg", f, [cv2.IMWRITE_JPEG_QUALITY, 70])[1], 1) for f in frames]
        clips[bg, still] = frames, truth
    for name, fn in detectors.items():
        cells = []
        for case in cases:
            frames, truth = clips[case]
            t = time.perf_counter()
            boxes = fn(frames)
            ms = (time.perf_counter() - t) / len(frames) * 1000
            ious = [0.0 if b is None else b.iou(g) for b, g in zip(boxes, truth, strict=True)]
            cells.append(f"{np.mean(ious):.2f}/{min(ious):.2f} {ms:3.1f}")
        print(f"  {name:22s}" + "".join(f"{c:>16}" for c in cells))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        photo, ten, sixty = make_inputs(folder)
        short = run_worker(photo, ten, folder / "out10.mp4")
        long = run_worker(photo, sixty, folder / "out60.mp4")
    for name, r in (("10 s", short), ("60 s", long)):
        total = r["prepare_s"] + r["render_s"]
        print(
            f"{name} clip, {r['frames']} frames at 256×256: decode only {r['decoded'] / r['decode_s']:.0f} fps; "
            f"framing {r['prepare_s']:.2f} s; render (decode+crop+encode+mux) {r['render_s']:.2f} s; "
            f"overall {r['frames'] / total:.0f} frames/s (target ≥ 100)"
        )
    grow = [(r["peak_kb"] - r["baseline_kb"]) / 1024 for r in (short, long)]
    print(
        f"peak RSS of the Python process during the run (after imports, {short['baseline_kb'] / 1024:.0f} MB): "
        f"10 s {short['peak_kb'] / 1024:.0f} MB, 60 s {long['peak_kb'] / 1024:.0f} MB → ratio "
        f"{long['peak_kb'] / short['peak_kb']:.2f} (target ≤ 1.2); growth during the run {grow[0]:.0f} MB vs "
        f"{grow[1]:.0f} MB; largest ffmpeg child {short['ffmpeg_peak_kb'] / 1024:.0f} MB vs "
        f"{long['ffmpeg_peak_kb'] / 1024:.0f} MB"
    )
    detector_table()


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--worker":
        worker(*sys.argv[2:])
    else:
        main()
