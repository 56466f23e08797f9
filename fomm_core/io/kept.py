"""A clip's frames decoded once and read twice: kept on disk by the first reader for the next one at the same size.

People tracking decodes the dance clip at its work size, and the pose engine's render reads the very same frames
again. A KeptFrames is made for one clip (its VideoInfo: file, trim and rate) at one size. The first read of
them decodes and writes each frame (raw uint8 RGB, one after another) to an unnamed temporary file as it passes;
once every frame is in, later reads take them from the file. Nothing is kept when the frames would take more
than the disk budget or half the free space, or when writing fails (the disk filling up): the later reads
decode as before. Closed, or dropped, the file is gone: it never had a name in the folder.
"""

from __future__ import annotations

import shutil
import tempfile
import weakref
from collections.abc import Callable, Iterator
from typing import BinaryIO

import numpy as np

from .video import VideoInfo, read_frames

#: The most disk a clip's kept frames may take: a minute at 30 fps, 640 pixels on the long side, is 1.2 GB.
KEEP_BYTES = 1_500_000_000
FREE_SHARE = 0.5  # at most this share of the temporary folder's free space


class KeptFrames:
    """The frames of the clip `info` describes at `size` (w, h), kept by their first read (see the module doc);
    `budget`: the most bytes they may take (default KEEP_BYTES)."""

    def __init__(self, info: VideoInfo, size: tuple[int, int], budget: int | None = None):
        self.info, self.size = info, size
        self.frame_bytes = size[0] * size[1] * 3
        self.nbytes = info.frame_count * self.frame_bytes
        self.full = False  # every frame is in the file
        # a fill was tried (or is refused): the file is filled once at most
        self._started = self.nbytes > (KEEP_BYTES if budget is None else budget)
        self._file: BinaryIO | None = None
        self._close = None

    def read(self, info: VideoInfo, size: tuple[int, int]) -> Iterator[np.ndarray]:
        """The frames `read_frames(info, size=size)` yields: from the file when it holds them, else decoded
        (and written to the file by the first read of them)."""
        if (info, size) != (self.info, self.size):
            return read_frames(info, size=size)
        if self.full:
            return self._read_back()
        if self._started:
            return read_frames(info, size=size)
        self._started = True
        return self._fill()

    @property
    def closed(self) -> bool:
        """Whether the file is gone (closed, or never made)."""
        return self._file is None

    def close(self) -> None:
        """Remove the file; later reads decode."""
        if self._close is not None:
            self._close()
        self._file, self.full = None, False

    def _fill(self) -> Iterator[np.ndarray]:
        """Decode, writing each frame to the file before yielding it; the file is kept only when complete."""
        try:
            if self.nbytes <= FREE_SHARE * shutil.disk_usage(tempfile.gettempdir()).free:
                self._file = tempfile.TemporaryFile(prefix="kpop-frames-")
                self._close = weakref.finalize(self, self._file.close)
        except OSError:  # no temporary folder to write in: nothing is kept
            self.close()
        try:
            for frame in read_frames(self.info, size=self.size):
                self._guarded(lambda: self._file.write(frame.data))  # noqa: B023 (called at once)
                yield frame
            self._guarded(lambda: self._file.flush())
            self.full = self._file is not None
        finally:
            if not self.full:
                self.close()

    def _guarded(self, write: Callable[[], object]) -> None:
        """Run `write` on the file if there is one; when it fails (the disk full) the file is removed and the
        reader goes on."""
        if self._file is None:
            return
        try:
            write()
        except OSError:
            self.close()

    def _read_back(self) -> Iterator[np.ndarray]:
        """The kept frames in order, each a new writable array as read_frames gives."""
        w, h = self.size
        for t in range(self.info.frame_count):
            buffer = bytearray(self.frame_bytes)
            if self._file is None:
                raise ValueError("the kept frames were closed while being read")
            self._file.seek(t * self.frame_bytes)  # readers may interleave: each frame is found by its place
            if self._file.readinto(buffer) < self.frame_bytes:
                raise OSError(f"the kept frames of '{self.info.path.name}' end before frame {t}")
            yield np.frombuffer(buffer, np.uint8).reshape(h, w, 3)


def read_kept(info: VideoInfo, size: tuple[int, int], kept: KeptFrames | None) -> Iterator[np.ndarray]:
    """The clip's frames at `size` (as read_frames yields them), through `kept` when there is one."""
    return kept.read(info, size) if kept is not None else read_frames(info, size=size)
