"""Every knob a user can set, declared once: RenderOptions' fields, each with its Option (kind, labels, help, flag).

The command line's flags (commands/animate.py), the Space's inputs, their order and its validator (space/), the
README's API table (space/api_docs.py) and the ratings record (RenderOptions.to_dict) all come from these
declarations, so adding an option is adding one field here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from .engines import MODES
from .errors import UserError
from .option_values import Choice, Flag, FrameChoice, Kind, Pick, Positive, Seconds, Size, Text

#: The result is at most this many pixels wide, side-by-side dance included: the models make 128 to 384 pixel
#: frames, so more is upscaling that adds no detail, and the encoder's time grows with the pixel count.
MAX_OUTPUT_WIDTH = 1024
#: The smallest square a result is made at: the smallest frame a model may have (a model's own size is used
#: when no output size is chosen).
MIN_OUTPUT_SIDE = 32
#: The output sizes a user may choose: from 64 pixels to half the widest result, so that every choice also fits
#: beside the dance.
OUTPUT_SIZES = (64, MAX_OUTPUT_WIDTH // 2)
#: Where the person dances: in their photo, its background still ("photo"), on the photo's square crop as the
#: models' training data look ("plain"), or in the dance clip itself, in the place of the dancer ("stage").
SCENES = ("photo", "plain", "stage")
#: The most photos one render takes: the user and up to four friends, each taking one dancer's place.
MAX_PEOPLE = 5


@dataclass(frozen=True)
class Option:
    """One user-settable option: how its values are checked, its labels on the page, its help and its CLI flag.

    `name` and `default` come from the RenderOptions field the Option is declared on.
    """

    kind: Kind
    label: tuple[str, str]  # English, Korean
    help: str
    flag: str
    on_page: bool = True  # the Space shows it and /generate takes it, in field order
    choice_labels: dict[str, tuple[str, str]] = field(default_factory=dict)  # Choice values: English, Korean
    shortcuts: tuple[str, ...] = ()  # Choice values that also get a `--<value>` switch on the command line
    cli_files: bool = False  # the command line may also name a file (a checkpoint); the Space may not
    name: str = ""
    default: Any = None

    def check(self, value: Any) -> Any:
        """`value` (from the command line, the page or an API caller) as RenderOptions holds it, or a UserError."""
        return self.kind.check(value, self.default)


def option(default: Any, kind: Kind, label: tuple[str, str], help: str, flag: str, **more: Any) -> Any:
    """A RenderOptions field declared as a user-settable option."""
    return field(default=default, metadata={"option": Option(kind, label, help, flag, **more)})


def _model_names() -> tuple[str, ...]:
    # imported when first needed: the registry reads the configs
    from .checkpoints.registry import model_names

    return model_names()


def check_mode(mode: object) -> str:
    """`mode` when it is one of MODES, else a UserError listing them."""
    if mode not in MODES:
        raise UserError(f"Unknown motion mode {mode!r}; choose one of: {', '.join(MODES)}.")
    return mode


def check_scene(scene: object) -> str:
    """`scene` when it is one of SCENES, else a UserError listing them."""
    if scene not in SCENES:
        raise UserError(f"Unknown scene {scene!r}; choose one of: {', '.join(SCENES)}.")
    return scene


def check_together(values: dict[str, Any]) -> None:
    """The check across options, once each is checked alone: a trim end after the trim start."""
    start, end = values.get("trim_start") or 0.0, values.get("trim_end")
    if end is not None and end <= start:
        raise UserError(f"Trim end ({end:g} s) must be after trim start ({start:g} s).")


def _legacy_mode(data: dict[str, Any]) -> str:
    """The mode an old record meant with its `relative` and `avd` booleans."""
    if data.get("avd"):
        return "avd"
    return "relative" if data.get("relative", True) else "absolute"


@dataclass(frozen=True)
class RenderOptions:
    """How one result video is made from a photo and a dance clip."""

    model: str = option(
        "default",
        Choice(_model_names, "model"),
        ("Model", "모델"),
        "registry name (e.g. taichi), pose (the photo's own pixels moved along the dancer's skeleton) or, on the command line, a .pth.tar/.safetensors path (default: "
        "tpsmm-taichi when its weights are on this machine, else the embedded default model)",
        "--checkpoint",
        cli_files=True,
    )
    mode: str = option(
        "relative",
        Choice(MODES, "motion mode"),
        ("Motion transfer", "동작 전달 방식"),
        "motion transfer: relative (the dancer's moves from the photo's pose), absolute (the dancer's pose as "
        "it is) or avd (TPSMM only: animation via disentanglement)",
        "--mode",
        choice_labels={
            "relative": (
                "Relative: the dancer's moves, starting from your pose",
                "상대: 내 포즈에서 시작해 댄서의 움직임을 따라 함",
            ),
            "absolute": ("Absolute: copy the dancer's poses", "절대: 댄서의 포즈를 그대로 따라 함"),
            "avd": ("AVD (public TPSMM checkpoints only)", "AVD (공개 TPSMM 체크포인트 전용)"),
        },
        shortcuts=("absolute", "avd"),
    )
    adapt_scale: bool = option(
        True,
        Flag(),
        ("Adapt movement scale to the body in the photo", "사진 속 몸에 맞게 움직임 크기 조절"),
        "scale the motion to the body's size in the photo",
        "--no-adapt-scale",
    )
    best_frame: str | int | None = option(
        None,
        FrameChoice(),
        (
            "Best-frame alignment: start from the dance frame whose pose is closest to the photo",
            "최적 프레임 정렬: 사진과 포즈가 가장 비슷한 댄스 프레임부터 시작",
        ),
        "'auto' (the dance frame whose pose is closest to the photo's) or a frame number to align the "
        "photo's pose with",
        "--best-frame",
    )
    trim_start: float = option(
        0.0,
        Seconds("trim start"),
        ("Trim start (s)", "시작 지점 (초)"),
        "start of the dance, seconds into the clip",
        "--trim-start",
    )
    trim_end: float | None = option(
        None,
        Seconds("trim end"),
        ("Trim end (s, 0 = end)", "끝 지점 (초, 0 = 끝까지)"),
        "end of the dance, seconds into the clip (0: the clip's end)",
        "--trim-end",
    )
    max_duration: float = option(
        60.0,
        Positive("clip length"),
        ("Longest clip (s)", "최대 영상 길이 (초)"),
        "refuse longer segments, in seconds",
        "--max-duration",
        on_page=False,
    )
    max_fps: float = option(
        30.0,
        Positive("frame rate"),
        ("Frame rate cap", "최대 프레임 레이트"),
        "output frame rate cap: the result has min(clip fps, this)",
        "--max-fps",
        on_page=False,
    )
    framing: bool = option(
        True,
        Flag(),
        ("Framing: find the dancer and crop around them", "프레이밍: 댄서를 찾아 그 주변을 잘라냄"),
        "find the dancer and crop around them, matching the photo's person to them (without: the whole "
        "frames, padded to squares)",
        "--no-framing",
    )
    side_by_side: bool = option(
        False,
        Flag(),
        ("Side by side with the dance clip", "댄스 영상과 나란히 보기"),
        "output the dance and the result side by side",
        "--side-by-side",
    )
    output_size: int | None = option(
        None,
        Size(*OUTPUT_SIZES),
        ("Output size", "출력 크기"),
        f"the result's square side in pixels, {OUTPUT_SIZES[0]} to {OUTPUT_SIZES[1]}, or native: the model's "
        f"own (the default); results are at most {MAX_OUTPUT_WIDTH} pixels wide in all, so "
        f"{MAX_OUTPUT_WIDTH // 2} with --side-by-side",
        "--output-size",
    )
    keep_audio: bool = option(
        True,
        Flag(),
        ("Keep the clip's music", "영상의 음악 유지"),
        "keep the clip's audio",
        "--no-audio",
    )
    batch_size: int | None = option(
        None,
        Positive("batch size", integer=True),
        ("Frames per batch", "배치당 프레임"),
        "frames per model batch (default: 1 on CPU, 8 on CUDA)",
        "--batch-size",
        on_page=False,
    )
    device: str | None = option(
        None,
        Text(),
        ("Device", "장치"),
        "cpu, cuda, cuda:1 ... (default: automatic)",
        "--device",
        on_page=False,
    )
    person: tuple[int | None, ...] | None = option(
        None,
        Pick("person", MAX_PEOPLE),
        ("Person to animate", "움직일 사람"),
        "which person in each photo to animate, numbered as `inspect` shows them, one per photo in order "
        '("0,2"; default: auto, the most complete, largest and most central; a photo in which nobody is seen '
        "head to feet needs a number)",
        "--person",
    )
    dancer: tuple[int | None, ...] | None = option(
        None,
        Pick("dancer", MAX_PEOPLE, distinct=True),
        ("Dancer to follow", "따라 할 댄서"),
        "which dancer in the clip each photo follows (or replaces, on the stage), by `inspect`'s id, one per "
        'photo in order ("0,2"; default: auto, the one who moves most, and for several photos the dancers '
        "from the formation's centre outwards)",
        "--dancer",
    )
    scene: str = option(
        "photo",
        Choice(SCENES, "scene"),
        ("Where you dance", "춤추는 곳"),
        "photo: the person dances where they stand in their photo, its background still (the output keeps "
        "the photo's framing); plain: the photo cropped square around the person, as the models' training "
        "data look (several photos: side by side in the formation); stage: the dance clip itself, the person "
        "in the dancer's place",
        "--scene",
        choice_labels={
            "photo": (
                "In your photo: you move where you stand, the background stays",
                "사진 속 그 자리에서: 배경은 그대로, 내가 움직여요",
            ),
            "plain": (
                "Plain: you alone in a square, as the models were trained",
                "단순 배경: 정사각형 안에 나만 (모델이 학습한 방식)",
            ),
            "stage": (
                "On the dance's stage: you take the dancer's place",
                "댄스 무대 위에서: 내가 댄서의 자리에",
            ),
        },
    )
    stage_light: bool = option(
        True,
        Flag(),
        ("Match the stage light", "무대 조명에 맞추기"),
        "match the person's colours to the light on the dancer they replace (scene stage)",
        "--no-stage-light",
    )

    def __post_init__(self) -> None:
        check_mode(self.mode)
        check_scene(self.scene)
        for name in ("person", "dancer"):  # any accepted form (an old record's int, a JSON list) as a tuple
            object.__setattr__(self, name, _PICKS[name].check(getattr(self, name)))

    def person_for(self, photo: int) -> int | None:
        """The person asked for in photo number `photo` (0: the user's), None for automatic."""
        return _pick_for(self.person, photo)

    def dancer_for(self, photo: int) -> int | None:
        """The dancer asked for by photo number `photo` (0: the user's), None for automatic."""
        return _pick_for(self.dancer, photo)

    def check_people(self, photos: int) -> None:
        """Refuse more photos than a render takes, or more persons or dancers named than there are photos."""
        if photos > MAX_PEOPLE:
            raise UserError(
                f"{photos} photos were given; a render takes at most {MAX_PEOPLE} (you and "
                f"{MAX_PEOPLE - 1} friends)."
            )
        for name in ("person", "dancer"):
            picks = getattr(self, name)
            if picks is not None and len(picks) > photos:
                raise UserError(
                    f"{len(picks)} {name}s were named for {photos} photo{'s' if photos > 1 else ''}: give one "
                    f"{name} per photo, in the photos' order."
                )

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form, as stored with each rating."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RenderOptions:
        """Build from a dict, ignoring unknown keys; records from before `mode` have it set from `relative`/`avd`,
        and records from before `scene` were made on the plain square."""
        names = {f.name for f in fields(cls)}
        known = {k: v for k, v in data.items() if k in names}
        known.setdefault("mode", _legacy_mode(data))
        known.setdefault("scene", "plain")
        return cls(**known)


def _pick_for(picks: tuple[int | None, ...] | None, photo: int) -> int | None:
    return picks[photo] if picks is not None and photo < len(picks) else None


def option_table(options_class: type = RenderOptions) -> tuple[Option, ...]:
    """The options declared on `options_class` (RenderOptions or a subclass adding fields), in field order."""
    return tuple(
        replace(f.metadata["option"], name=f.name, default=f.default)
        for f in fields(options_class)
        if "option" in f.metadata
    )


#: RenderOptions' options in field order; on_page ones are /generate's inputs after the photo and the clip.
OPTIONS = option_table()
_PICKS = {o.name: o for o in OPTIONS if isinstance(o.kind, Pick)}
