"""People finding scored against the hand labels in tests/data/people: photos, the eight Pose2Sim clips, a cut.

For each photo: precision and recall of the people found (IoU >= 0.5) and the full-body flags of the matches.
For each clip (read at its own rate, as inspect reads it): tracks, precision and recall over the labelled
frames, the track ids each labelled person got, the dancer chosen against the one who moves most, cuts.

    python benchmarks/people_accuracy.py
"""

from __future__ import annotations

import json
from pathlib import Path

LABELS = Path(__file__).resolve().parents[1] / "tests" / "data" / "people"


def main() -> None:
    from fomm_core.data.real_media import real_media
    from fomm_core.evaluate.real import real_videos
    from fomm_core.io import load_photo, open_video
    from fomm_core.people import choose_dancer, default_landmarker, find_dancers, find_people
    from fomm_core.people.scoring import Score, clip_score, photo_score

    landmarker = default_landmarker()
    photos = json.loads((LABELS / "photos.json").read_text())
    media = real_media((*photos, "face_noface"))
    total = Score(0, 0, 0)
    for name, labelled in photos.items():
        people = find_people(load_photo(media[name]), landmarker)
        score, flags = photo_score(people, labelled["people"])
        total = total + score
        wrong = sum(a != b for a, b in flags)
        print(
            f"{name}: {score.found} found, {score.labelled} labelled, precision {score.precision:.2f}, "
            f"recall {score.recall:.2f}, full-body flags wrong {wrong}/{len(flags)}, "
            f"marked full body {sum(p.full_body for p in people)}"
        )
    print(f"photos: precision {total.precision:.2f}, recall {total.recall:.2f}")

    clips = json.loads((LABELS / "pose2sim.json").read_text())
    total = Score(0, 0, 0)
    for name, path in real_videos(list(clips)).items():
        labelled = clips[name]
        found = find_dancers(open_video(path, max_fps=1000), landmarker)
        score, ids = clip_score(found, labelled)
        total = total + score
        chosen = choose_dancer(found)
        mover_ids = ids[labelled["mover"]]
        print(
            f"{name}: {len(found.tracks)} tracks for {len(labelled['people'])} people, precision "
            f"{score.precision:.2f}, recall {score.recall:.2f}, ids per person {[sorted(i) for i in ids]}, "
            f"chosen {chosen} ({'the mover' if mover_ids == {chosen} else 'not the mover'}), cuts {found.cuts}"
        )
    print(f"clips: precision {total.precision:.2f}, recall {total.recall:.2f}")
    cut = json.loads((LABELS / "cuts.json").read_text())["face_noface"]
    found = find_dancers(open_video(media["face_noface"], max_fps=1000), landmarker)
    print(f"face_noface: cuts {found.cuts} (labelled {cut['cuts']}), {len(found.tracks)} tracks")


if __name__ == "__main__":
    main()
