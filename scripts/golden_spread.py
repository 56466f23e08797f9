"""Measure how far the golden-output tests' outputs stray from their golden files on this CPU's code paths.

python scripts/golden_spread.py

Each configuration runs in its own process, since the kernels are chosen when torch loads: ATen's instruction
set (ATEN_CPU_CAPABILITY), oneDNN on, off or capped (ONEDNN_MAX_CPU_ISA), and MKL's code path
(MKL_ENABLE_INSTRUCTIONS, MKL_CBWR). Printed: the largest absolute deviation of every compared output per
configuration, and over all of them, from which the tolerances in tests/test_fomm_networks.py and
tests/test_network_widths.py are set.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CONFIGURATIONS = {
    "native": {},
    "avx2": {"ATEN_CPU_CAPABILITY": "avx2"},
    "default": {"ATEN_CPU_CAPABILITY": "default"},
    "native, oneDNN off": {"ONEDNN_OFF": "1"},
    "default, oneDNN off": {"ATEN_CPU_CAPABILITY": "default", "ONEDNN_OFF": "1"},
    "AVX2 everywhere": {
        "ATEN_CPU_CAPABILITY": "avx2",
        "ONEDNN_MAX_CPU_ISA": "AVX2",
        "MKL_ENABLE_INSTRUCTIONS": "AVX2",
    },
    "SSE4 everywhere": {
        "ATEN_CPU_CAPABILITY": "default",
        "ONEDNN_MAX_CPU_ISA": "SSE41",
        "MKL_ENABLE_INSTRUCTIONS": "SSE4_2",
    },
    "MKL compatible": {"MKL_CBWR": "COMPATIBLE"},
}


def measure() -> dict[str, float]:
    """The deviations in this process (run as the tests run them: 2 threads, same calls)."""
    import numpy as np
    import torch

    if os.environ.get("ONEDNN_OFF"):
        torch.backends.mkldnn.enabled = False
    torch.set_num_threads(2)
    sys.path.insert(0, str(REPO / "tests"))
    from contextlib import nullcontext

    from conftest import TINY_FOMM
    from test_fomm_networks import _golden_model
    from test_network_widths import CAPPED_GOLDEN, GOLDEN

    import fomm_core
    from fomm_core.networks.common.conv import plain_ops
    from fomm_core.networks.tpsmm.dense_motion import TPSDenseMotionNetwork
    from fomm_core.networks.tpsmm.inpainting import InpaintingNetwork

    found = {}
    model, data = _golden_model(TINY_FOMM)
    for golden, mode, adapt in (("relative_adapt", "relative", True), ("relative", "relative", False)) + (
        ("absolute", "absolute", False),
    ):
        out = fomm_core.animate(
            model, data["source"], data["driving"], mode=mode, adapt_scale=adapt, batch_size=2
        )
        found[f"fomm frames {golden}"] = np.abs(out - data[f"expected_{golden}"]).max()
    kp = model.detect_keypoints(model.to_tensor(data["driving"]))
    found["fomm keypoints"] = np.abs(kp.value.numpy() - data["expected_kp_value"]).max()
    found["fomm jacobians"] = np.abs(kp.jacobian.numpy() - data["expected_kp_jacobian"]).max()
    out = fomm_core.animate(model, data["source"], data["driving"], best_frame=2)
    found["fomm frames best_frame_2"] = np.abs(out - data["expected_best_frame_2"]).max()

    data = dict(np.load(GOLDEN))
    dense, inpainting = TPSDenseMotionNetwork(CAPPED_GOLDEN).eval(), InpaintingNetwork(CAPPED_GOLDEN).eval()
    for prefix, net in (("dense_motion_network.", dense), ("inpainting_network.", inpainting)):
        net.load_state_dict(
            {k[len(prefix) :]: torch.from_numpy(v).float() for k, v in data.items() if k.startswith(prefix)}
        )
    source = torch.from_numpy(data["source"])
    for label, context in (("plain", plain_ops), ("shortcuts", nullcontext)):
        with torch.no_grad(), context():
            motion = dense(source, torch.from_numpy(data["kp_driving"]), torch.from_numpy(data["kp_source"]))
            prediction = inpainting(source, motion)
        outputs = {
            "deformation": motion.deformation,
            "occlusion_3": motion.occlusion_maps[3],
            "prediction": prediction,
        }
        for name, value in outputs.items():
            found[f"tpsmm {name} ({label})"] = np.abs(value.numpy() - data[f"expected_{name}"]).max()
    return {k: float(v) for k, v in found.items()}


def main() -> None:
    """One process per configuration, then the table."""
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        print(json.dumps(measure()))
        return
    results = {}
    for label, env in CONFIGURATIONS.items():
        done = subprocess.run(
            [sys.executable, __file__, "--one"],
            env={**os.environ, "PYTHONPATH": str(REPO), **env},
            capture_output=True,
            text=True,
            check=True,
        )
        results[label] = json.loads(done.stdout.splitlines()[-1])
        print(f"measured: {label}", file=sys.stderr)
    names = list(next(iter(results.values())))
    print(f"{'output':32}" + "".join(f"{label[:10]:>11}" for label in results) + f"{'largest':>11}")
    for name in names:
        row = [results[label][name] for label in results]
        print(f"{name:32}" + "".join(f"{v:11.1e}" for v in row) + f"{max(row):11.1e}")


if __name__ == "__main__":
    main()
