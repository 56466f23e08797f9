"""The photo scene's cost: the one-off backdrop (person inpainted away) and, per frame, the animated person's
mask and the composite, beside the animation itself, measured in one run.

Photo: a frame of Pose2Sim's Demo_SinglePerson cam01; dance: Demo_MultiPerson cam01 (BSD-3, from the pose2sim
wheel), 2 s at 15 fps. Animation by the embedded default model (128 px) and by the taichi-256 FOMM (random
weights time like trained ones); the scene's per-frame steps are timed on the default model's real frames
(upscaled to 256 for the taichi size), the square shown at the render's default side (RenderPlan.output_side).

    python benchmarks/scene.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import best_of  # noqa: E402 (benchmarks/, the script's own folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    import torch
    from PIL import Image

    import fomm_core
    from fomm_core.data.real_media import real_media
    from fomm_core.io import open_video, read_frames
    from fomm_core.options import RenderOptions
    from fomm_core.pipeline import plan_render

    torch.set_num_threads(2)
    media = real_media(("single_person", "multi_person"))
    with tempfile.TemporaryDirectory(prefix="scene-bench-") as tmp:
        frames = read_frames(open_video(media["single_person"]))
        photo = Path(tmp) / "photo.png"
        Image.fromarray(next(frames)).save(photo)
        frames.close()
        plan = plan_render(photo, media["multi_person"], RenderOptions(trim_end=2.0, max_fps=15))
    if plan.scene is None:
        raise SystemExit("no photo scene: " + " ".join(plan.notes))
    print(f"photo {plan.photo.shape[1]}x{plan.photo.shape[0]}, {plan.frame_count} frames")
    default = fomm_core.load_model("default", device="cpu")
    taichi = fomm_core.random_model("taichi-256", seed=0, device="cpu")
    animated, generated = _animate(plan, default)
    _report("default", default.frame_size, plan, animated, generated, args.repeats)
    animated, _ = _animate(plan, taichi)
    _report("taichi-256", taichi.frame_size, plan, animated, generated, args.repeats)


def _animate(plan, model) -> tuple[float, list]:
    """Seconds per frame the model takes to animate the plan's source, and its frames (uint8)."""
    import itertools

    import fomm_core
    from fomm_core.io import to_uint8

    size = model.frame_size
    source = plan.source(size)
    driving = list(itertools.islice(plan.driving(size), plan.frame_count))
    list(fomm_core.animate_iter(model, source, driving[:2]))  # warm up
    start = time.perf_counter()
    made = [to_uint8(f) for f in fomm_core.animate_iter(model, source, driving)]
    return (time.perf_counter() - start) / len(driving), made


def _report(name: str, size: int, plan, animated: float, generated: list, repeats: int) -> None:
    """Time the scene's one-off set-up and per-frame steps at `size` and print them beside `animated`."""
    import cv2

    from fomm_core.options import MAX_OUTPUT_WIDTH
    from fomm_core.scene import SceneCompositor, remove_person

    frames = [cv2.resize(f, (size, size), interpolation=cv2.INTER_CUBIC) for f in generated]
    side = plan.output_side(size)
    layout = plan.scene.layout(plan.photo, side, MAX_OUTPUT_WIDTH)
    x0, y0, x1, y1 = layout.canvas
    canvas = cv2.resize(plan.photo[y0:y1, x0:x1], layout.size, interpolation=cv2.INTER_AREA)
    mask = cv2.resize(plan.scene.person.mask(*plan.photo.shape[:2])[y0:y1, x0:x1], layout.size)
    inpaint = best_of(lambda: remove_person(canvas, mask), repeats)
    setup = best_of(lambda: plan.compositor(size, side), repeats)
    masks = []
    segment = plan.compositor(size, side).segment
    segment(frames[0])  # warm up
    mask_cost = best_of(lambda: masks.extend(segment(f) for f in frames), 1) / len(frames)
    replay = iter(masks * repeats)
    compose = SceneCompositor(layout, plan.compositor(size, side).backdrop, lambda _f: next(replay), size)
    composite = best_of(lambda: [compose(f) for f in frames], repeats) / len(frames)
    print(f"\n{name} ({size} px squares), output {layout.size[0]}x{layout.size[1]}")
    print(f"  animation:                    {animated * 1000:7.1f} ms/frame")
    print(f"  scene, person mask:           {mask_cost * 1000:7.1f} ms/frame")
    print(f"  scene, composite:             {composite * 1000:7.1f} ms/frame")
    print(f"  scene per frame / animation:  {100 * (mask_cost + composite) / animated:7.1f}%")
    print(
        f"  once: backdrop inpaint {inpaint * 1000:.1f} ms; whole scene set-up {setup * 1000:.1f} ms "
        f"(= {setup / animated:.2f} frames of animation)"
    )


if __name__ == "__main__":
    main()
