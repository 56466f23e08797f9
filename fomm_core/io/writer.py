"""Streaming H.264 mp4 writer: frames piped to ffmpeg as they arrive, the driving clip's audio muxed in."""

from __future__ import annotations

import os
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import TracebackType

import numpy as np

from ..errors import UserError
from .ffmpeg import ffmpeg_exe, file_arg, stderr_tail
from .outputs import check_output, publish


@dataclass(frozen=True)
class AudioSegment:
    """The part of a file's first audio stream to put under the video: `duration` seconds from `start`."""

    path: Path
    start: float
    duration: float


def to_uint8(frame: np.ndarray) -> np.ndarray:
    """An H×W×3 image as uint8: float frames are taken as [0, 1] and rounded."""
    if frame.dtype == np.uint8:
        return frame
    return (np.clip(frame, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def _refuse_full_disk(path: Path, ffmpeg_errors: str) -> None:
    """UserError when ffmpeg stopped because the output's disk is full."""
    if "No space left on device" in ffmpeg_errors or "Disk quota exceeded" in ffmpeg_errors:
        raise UserError(
            f"The disk holding {path} is full: the video could not be written. Free some space or "
            "choose another folder."
        )


class VideoWriter:
    """Writes an H.264 (yuv420p, +faststart) mp4 at `rate` fps, frame by frame, with optional AAC audio.

    Output goes to a hidden temporary file in the destination folder and is renamed onto `path` only
    when `close()` succeeds, so a failed or interrupted render never leaves a half-written video. `path` is
    checked by fomm_core.io.outputs first and again at the rename: it may not be one of `inputs` (the audio
    source is one) or anything but a regular file, and an existing file is replaced only with `overwrite`.
    Use as a context manager: an exception inside the block (or while finishing) aborts and removes the
    temporary file. ffmpeg runs in its own session, so a terminal's Ctrl-C or hang-up reaches only Python,
    which stops in order (fomm_core.cli turns SIGTERM and SIGHUP into an exception too).
    """

    def __init__(
        self,
        path: str | os.PathLike,
        rate: Fraction | float,
        size: tuple[int, int],
        audio: AudioSegment | None = None,
        crf: int = 18,
        preset: str = "veryfast",
        inputs: tuple[str | os.PathLike, ...] = (),
        overwrite: bool = True,
    ):
        self.overwrite = overwrite
        sources = (*inputs, audio.path) if audio is not None else inputs
        self.path = check_output(path, sources, overwrite=overwrite)
        self.size = size
        self.frames = 0
        w, h = size
        if w % 2 or h % 2:
            raise ValueError(f"H.264 yuv420p needs even frame sizes, got {w}×{h}")
        rate = Fraction(rate).limit_denominator(1001)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = self.path.with_name(f".{self.path.stem}.partial-{uuid.uuid4().hex[:8]}.mp4")
        cmd = [
            ffmpeg_exe(),
            "-hide_banner",
            "-nostdin",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-s",
            f"{w}x{h}",
            "-r",
            f"{rate.numerator}/{rate.denominator}",
            "-i",
            "pipe:0",
        ]
        if audio is not None:
            cmd += [
                "-ss",
                f"{audio.start:.6f}",
                "-t",
                f"{audio.duration:.6f}",
                "-i",
                file_arg(audio.path),
                "-map",
                "0:v:0",
                "-map",
                "1:a:0?",
                "-af",
                f"apad=whole_dur={audio.duration:.6f}",
                "-c:a",
                "aac",
                "-b:a",
                "192k",
                "-t",
                f"{audio.duration:.6f}",
            ]
        cmd += [
            "-c:v",
            "libx264",
            "-preset",
            preset,
            "-crf",
            str(crf),
            "-pix_fmt",
            "yuv420p",
            "-movflags",
            "+faststart",
            "-max_muxing_queue_size",
            "4096",
            "-f",
            "mp4",
            file_arg(self.tmp),
        ]
        self._errors = tempfile.TemporaryFile()
        self._proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._errors, start_new_session=True
        )

    def write(self, frame: np.ndarray) -> None:
        """Append one H×W×3 frame (uint8, or float in [0, 1]) of the writer's size."""
        frame = to_uint8(np.asarray(frame))
        if frame.shape != (self.size[1], self.size[0], 3):
            raise ValueError(f"frame shape {frame.shape} does not match the writer's size {self.size}")
        try:
            self._proc.stdin.write(np.ascontiguousarray(frame).data)
        except BrokenPipeError:
            detail = self._stderr()
            self.abort()
            _refuse_full_disk(self.path, detail)
            raise RuntimeError(f"ffmpeg stopped while writing {self.path.name}: {detail}") from None
        self.frames += 1

    def close(self) -> Path:
        """Finish encoding and move the file into place; returns the final path."""
        if self._proc.stdin.closed:
            return self.path
        self._proc.stdin.close()
        code = self._proc.wait()
        if code != 0 or self.frames == 0:
            detail = self._stderr()
            self.abort()
            _refuse_full_disk(self.path, detail)
            raise RuntimeError(
                f"ffmpeg failed to write {self.path.name} (exit {code}, {self.frames} frames): {detail}"
            )
        publish(self.tmp, self.path, overwrite=self.overwrite)
        self._errors.close()
        return self.path

    def abort(self) -> None:
        """Stop ffmpeg and delete the temporary file; the destination is left untouched."""
        if self._proc.poll() is None:
            self._proc.kill()
        try:
            self._proc.stdin.close()
        except BrokenPipeError:
            pass
        self._proc.wait()
        self.tmp.unlink(missing_ok=True)

    def _stderr(self) -> str:
        if self._errors.closed:
            return ""
        self._errors.seek(0)
        return stderr_tail(self._errors.read().decode("utf-8", "replace"))

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is not None:
            self.abort()
            return
        try:
            self.close()
        except BaseException:
            self.abort()
            raise
