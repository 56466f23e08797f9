"""The page's words in English and Korean: one key per text, the same keys in both languages.

`{max}` is the clip-length limit, `{size}` a model's frame size, `{names}` a list of models and `{photo}` a
friend's photo's place among the photos; page_texts fills them in and adds the options' labels (declared with
the options, in fomm_core.options) before handing the tables to gr.I18n (which translates in the browser, by
the visitor's locale).
"""

from __future__ import annotations

from collections.abc import Sequence

import gradio as gr

from fomm_core.checkpoints.registry import REGISTRY, model_description, model_names, native_size
from fomm_core.options import RenderOptions, option_table

from .settings import MAX_FRIENDS

EN: dict[str, str] = {
    "intro": "# 🎤 Kpop Idol Generator\nUpload a full-body photo and a dance clip: the person in the photo "
    "performs the dance (First Order Motion Model / Thin-Plate Spline Motion Model).",
    "tab_make": "Make a video",
    "tab_review": "Peer review",
    "photo": "Full-body photo",
    "clip": "Dance clip (up to {max} s)",
    "options": "Options",
    "models_missing": "Not listed: {names}. Their weights are not on this machine and the Hugging Face Hub "
    "cannot be reached, so they cannot run now.",
    "size_native": "Model's own ({size} px)",
    "generate": "Generate",
    "result": "Result",
    "comment": "Comment (optional)",
    "comment_placeholder": "What worked, what didn't?",
    "rate_up": "👍 Looks good",
    "rate_down": "👎 Not good",
    "examples": "Try an example",
    "example_1": "Hip sway, point, step-touch",
    "example_2": "Claps and shimmies",
    "example_3": "Footwork and kicks",
    "tips": "**Tips for a good result**\n"
    "- The whole body must be visible in the photo, head to feet, as in the dance clip.\n"
    "- Plain background, good light, one person. A static camera in the clip helps too.\n"
    "- Stand in a starting pose like the dancer's first pose (or tick *best-frame alignment*).\n"
    "- The models are small (128 to 384 pixels) and learned from Tai-Chi, fashion or synthetic dancers: "
    "expect a fun preview, not a music video.",
    "by_model": "By model",
    "by_options": "By model and option set",
    "refresh": "Refresh",
    "v_photo": "Please upload a full-body photo first.",
    "v_clip": "Please upload a dance clip first.",
    "v_choice": "Choose one of: {names}.",
    "v_bool": "This must be true or false.",
    "v_seconds": "This must be a number of seconds, 0 or more.",
    "v_trim_order": "Trim end must be after trim start (or 0 for the end of the clip).",
    "v_size": "Output size must be 'native' or a whole number of pixels from {low} to {high}.",
    "people_preview": "People in the photo",
    "dancers_preview": "Dancers in the clip",
    "pick_auto": "Automatic",
    "pick_auto_person": "Automatic (person {n})",
    "pick_auto_nobody": "Automatic (nobody: pick a person)",
    "pick_auto_dancer": "Automatic (dancer {n})",
    "full_body": "full body",
    "missing": "missing {parts}",
    "part_head": "head",
    "part_shoulders": "shoulders",
    "part_hips": "hips",
    "part_knees": "knees",
    "part_feet": "feet",
    "part_left side": "left side",
    "part_right side": "right side",
    "dancer_seen": "seen {start}–{end} s",
    "people_found": "People found in the photo: {n}. The highlighted one ({chosen}) is animated unless you "
    "choose another.",
    "dancers_found": "Dancers found in the clip: {n}. The highlighted one ({chosen}) is followed unless you "
    "choose another.",
    "people_found_none_whole": "People found in the photo: {n}. Nobody is seen head to feet, so Generate "
    "animates only the person you pick.",
    "v_pick": "Choose 'auto' or a number shown in the preview (0, 1, ...).",
    "time_limit": "Making this video took longer than the {limit} s limit; trim the clip or choose a "
    "smaller model, then try again.",
    "add_friend": "➕ Add a friend",
    "friend": "Photo {photo}: a friend",
    "friend_dancer": "Dancer your friend replaces",
    "dancer_replace": "Dancer you replace",
    "v_friends": "Send at most {n} friends' photos, as a list of uploads.",
    "v_same_dancer": "Two photos cannot replace the same dancer: choose another dancer here, or Automatic.",
}

KO: dict[str, str] = {
    "intro": "# 🎤 Kpop Idol Generator\n전신 사진과 댄스 영상을 올리면 사진 속 인물이 그 춤을 춥니다 "
    "(First Order Motion Model / Thin-Plate Spline Motion Model).",
    "tab_make": "영상 만들기",
    "tab_review": "사용자 평가",
    "photo": "전신 사진",
    "clip": "댄스 영상 (최대 {max}초)",
    "options": "옵션",
    "models_missing": "목록에 없는 모델: {names}. 이 컴퓨터에 가중치가 없고 Hugging Face Hub에 연결할 수 없어 "
    "지금은 사용할 수 없습니다.",
    "size_native": "모델 기본 크기 ({size}px)",
    "generate": "생성하기",
    "result": "결과",
    "comment": "코멘트 (선택)",
    "comment_placeholder": "어떤 점이 좋았고 어떤 점이 아쉬웠나요?",
    "rate_up": "👍 좋아요",
    "rate_down": "👎 별로예요",
    "examples": "예시로 해보기",
    "example_1": "힙 스웨이, 포인트, 스텝 터치 (120 BPM)",
    "example_2": "박수와 쉬미 (112 BPM)",
    "example_3": "풋워크와 킥 (132 BPM)",
    "tips": "**좋은 결과를 위한 팁**\n"
    "- 댄스 영상처럼 사진에도 머리부터 발끝까지 몸 전체가 보여야 합니다.\n"
    "- 단색 배경, 밝은 조명, 한 사람. 영상도 카메라가 고정되어 있으면 좋습니다.\n"
    "- 댄서의 첫 포즈와 비슷한 자세로 서 주세요 (또는 *최적 프레임 정렬*을 선택하세요).\n"
    "- 모델은 작고 (128~384픽셀) 태극권, 패션, 합성 댄서 영상으로 학습했습니다: "
    "뮤직비디오가 아니라 재미있는 미리보기로 봐 주세요.",
    "by_model": "모델별",
    "by_options": "모델과 옵션 조합별",
    "refresh": "새로 고침",
    "v_photo": "먼저 전신 사진을 올려 주세요.",
    "v_clip": "먼저 댄스 영상을 올려 주세요.",
    "v_choice": "다음 중 하나를 선택하세요: {names}.",
    "v_bool": "참 또는 거짓이어야 합니다.",
    "v_seconds": "0 이상의 초 단위 숫자여야 합니다.",
    "v_trim_order": "끝 지점은 시작 지점보다 뒤여야 합니다 (영상 끝까지는 0).",
    "v_size": "출력 크기는 'native' 또는 {low}~{high} 사이의 정수 픽셀이어야 합니다.",
    "people_preview": "사진 속 사람들",
    "dancers_preview": "영상 속 댄서들",
    "pick_auto": "자동",
    "pick_auto_person": "자동 (사람 {n})",
    "pick_auto_nobody": "자동 (없음: 사람을 고르세요)",
    "pick_auto_dancer": "자동 (댄서 {n})",
    "full_body": "전신",
    "missing": "{parts} 안 보임",
    "part_head": "머리",
    "part_shoulders": "어깨",
    "part_hips": "엉덩이",
    "part_knees": "무릎",
    "part_feet": "발",
    "part_left side": "왼쪽",
    "part_right side": "오른쪽",
    "dancer_seen": "{start}–{end}초에 보임",
    "people_found": "사진에서 {n}명을 찾았습니다. 다른 사람을 고르지 않으면 강조된 사람({chosen})이 움직입니다.",
    "dancers_found": "영상에서 댄서 {n}명을 찾았습니다. 다른 댄서를 고르지 않으면 강조된 댄서({chosen})를 "
    "따라 합니다.",
    "people_found_none_whole": "사진에서 {n}명을 찾았습니다. 머리부터 발끝까지 보이는 사람이 없어, 직접 고른 "
    "사람만 움직입니다.",
    "v_pick": "'auto' 또는 미리보기에 표시된 번호(0, 1, ...)를 선택하세요.",
    "time_limit": "영상을 만드는 데 제한 시간 {limit}초를 넘었습니다. 영상을 자르거나 더 작은 모델을 선택한 뒤 "
    "다시 시도해 주세요.",
    "add_friend": "➕ 친구 추가",
    "friend": "사진 {photo}: 친구",
    "friend_dancer": "친구가 대신할 댄서",
    "dancer_replace": "내가 대신할 댄서",
    "v_friends": "친구 사진은 최대 {n}장까지, 업로드 목록으로 보내 주세요.",
    "v_same_dancer": "두 사진이 같은 댄서를 대신할 수 없습니다. 여기에서 다른 댄서나 자동을 선택하세요.",
}

# The registry's model descriptions in Korean (the English ones are the registry's own).
KO_MODELS: dict[str, str] = {
    "default": "패키지에 내장된 작은 모델, 오프라인에서도 작동합니다.",
    "taichi": "Tai-Chi-HD 전신 영상으로 학습한 FOMM, 256x256.",
    "fashion": "Fashion 비디오 데이터셋으로 학습한 FOMM, 256x256.",
    "mgif": "MGif 만화 동물로 학습한 FOMM, 256x256.",
    "vox": "VoxCeleb 말하는 얼굴로 학습한 FOMM, 256x256.",
    "tpsmm-taichi": "Tai-Chi-HD로 학습한 TPSMM, 256x256.",
    "tpsmm-vox": "VoxCeleb으로 학습한 TPSMM, 256x256.",
    "tpsmm-ted": "TED 강연 상반신으로 학습한 TPSMM, 384x384.",
    "tpsmm-mgif": "MGif 만화 동물로 학습한 TPSMM, 256x256.",
    "pose": "사진 속 내 모습을 댄서의 골격에 맞춰 부위별로 움직입니다: 사진 해상도 그대로 선명하고, 학습이 필요 없습니다.",
}

TABLES = {"en": EN, "ko": KO}  # in the order of an Option's labels


def language(accept_language: str | None) -> str:
    """The table to answer in: Korean when the visitor's browser prefers it, else English."""
    first = (accept_language or "").split(",")[0].strip().lower()
    return "ko" if first.startswith("ko") else "en"


def text(key: str, lang: str = "en", **values: object) -> str:
    """One text in one language, with its placeholders filled in."""
    return TABLES[lang][key].format(**values)


def page_texts(max_duration: float, missing: Sequence[str], options_class: type = RenderOptions) -> gr.I18n:
    """The I18n tables with this Space's numbers filled in, plus one key per option and per option choice (from
    the option table), per model and per native size."""
    sizes = sorted({size for name in REGISTRY if (size := native_size(name))})
    tables = {}
    for index, (lang, table) in enumerate(TABLES.items()):
        filled = {
            **table,
            "clip": table["clip"].format(max=f"{max_duration:g}"),
            "models_missing": table["models_missing"].format(names=", ".join(missing)),
        }
        filled.update({f"size_native_{size}": table["size_native"].format(size=size) for size in sizes})
        # a friend's photo is named by its place among the photos, as the render's messages name it
        filled.update({f"friend_{n}": table["friend"].format(photo=n + 1) for n in range(1, MAX_FRIENDS + 1)})
        descriptions = {name: model_description(name) for name in model_names()}
        if lang == "ko":
            descriptions.update(KO_MODELS)
        filled.update({f"model_{name}": descriptions[name] for name in model_names()})
        for option in option_table(options_class):
            filled[option.name] = option.label[index]
            filled.update({f"{option.name}_{v}": labels[index] for v, labels in option.choice_labels.items()})
        tables[lang] = filled
    return gr.I18n(**tables)
