"""Tone and colour: every tone edit as one lookup table, every colour edit as one 3x4 matrix.

Colour filters (black and white, sepia, vintage) are terms of that matrix, registered in
COLOUR_FILTERS under the spec's names; the other filters are pixel effects (effects.py).
"""

from __future__ import annotations

import math
from typing import Callable

import cv2
import numpy as np

from photo_processor.pipeline.geometry import bands

Matrix = list[list[float]]
Offset = list[float]
COLOUR_FILTERS: dict[str, Callable[[Matrix, Offset, float], tuple[Matrix, Offset]]] = {}


def colour_filter(name: str):
    def register(function):
        COLOUR_FILTERS[name] = function
        return function
    return register


def adjust(pixels: np.ndarray, spec: dict) -> None:
    """The tone table then the colour matrix, in place, band by band: a band of about 1 MB stays
    in the cache from the table to the matrix, so the photo crosses memory once, not twice."""
    curve, matrix = tone_curve(spec), colour_matrix(spec)
    if curve is None and matrix is None:
        return
    if curve is not None:
        tables = np.array(curve, dtype=np.uint8).reshape(3, 256)
        # no white balance: one table for all channels is OpenCV's faster path
        curve = tables[0] if (tables == tables[0]).all() else tables.T.reshape(1, 256, 3)
    if matrix is not None:
        matrix = np.array(matrix, dtype=np.float32).reshape(3, 4)
    for top, bottom in bands(pixels.shape[0], pixels[0].nbytes):
        band = pixels[top:bottom]
        if curve is not None:
            cv2.LUT(band, curve, dst=band)
        if matrix is not None:
            cv2.transform(band, matrix, dst=band)


def tone_curve(spec: dict) -> list[int] | None:
    a = spec["adjust"]
    gains = _white_balance(a["temperature"], a["tint"])
    if not any(a[k] for k in ("exposure", "brightness", "contrast", "highlights", "shadows")) and gains == (1, 1, 1):
        return None
    exposure = 2.0 ** a["exposure"]
    brightness = a["brightness"] / 100 * 0.25
    contrast = a["contrast"] / 100
    highlights, shadows = a["highlights"] / 100, a["shadows"] / 100
    table = []
    for gain in gains:
        for v in range(256):
            x = (v / 255) ** 2.2 * exposure * gain          # linear light: exposure and white balance
            x = min(x, 1.0) ** (1 / 2.2)                     # back to display values
            x += brightness
            x += shadows * 0.5 * (1 - x) ** 3 * x * 4        # lift or deepen the dark tones
            x += highlights * 0.5 * x ** 3 * (1 - x) * 4      # recover or push the bright tones
            if contrast:                                     # S-curve around middle grey
                k = 1 + contrast * (1.5 if contrast > 0 else 0.8)
                x = 0.5 + (x - 0.5) * k if contrast < 0 else _sigmoid_contrast(x, k)
            table.append(max(0, min(255, round(x * 255))))
    return table


def _sigmoid_contrast(x: float, k: float) -> float:
    x = min(max(x, 0.0), 1.0)
    s = 1 / (1 + math.exp(-(x - 0.5) * 4 * k))
    lo, hi = 1 / (1 + math.exp(2 * k)), 1 / (1 + math.exp(-2 * k))
    return (s - lo) / (hi - lo)


def _white_balance(temperature: float, tint: float) -> tuple[float, float, float]:
    t, m = temperature / 100, tint / 100
    return (1 + 0.25 * t + 0.05 * m, 1 - 0.12 * m, 1 - 0.25 * t + 0.05 * m)


_LUMA = (0.2126, 0.7152, 0.0722)
_IDENTITY = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
_SEPIA = [[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]]
_VINTAGE = [[0.9, 0.1, 0.05], [0.07, 0.85, 0.08], [0.05, 0.1, 0.7]]


def colour_matrix(spec: dict) -> tuple[float, ...] | None:
    a, f = spec["adjust"], spec["filters"]
    saturation = 1 + a["saturation"] / 100 + 0.6 * a["vibrance"] / 100
    m: Matrix = _saturation_matrix(max(0.0, saturation))
    offset: Offset = [0.0, 0.0, 0.0]
    for name, apply in COLOUR_FILTERS.items():
        if f[name]:
            m, offset = apply(m, offset, f[name])
    if m == _IDENTITY and offset == [0.0, 0.0, 0.0]:
        return None
    return tuple(v for row, off in zip(m, offset) for v in (*row, off))


@colour_filter("black_and_white")
def _black_and_white(m: Matrix, offset: Offset, on: bool) -> tuple[Matrix, Offset]:
    return _matmul(_saturation_matrix(0.0), m), offset


@colour_filter("sepia")
def _sepia(m: Matrix, offset: Offset, strength: float) -> tuple[Matrix, Offset]:
    return _mix(m, _matmul(_SEPIA, m), strength / 100), offset


@colour_filter("vintage")
def _vintage(m: Matrix, offset: Offset, strength: float) -> tuple[Matrix, Offset]:
    amount = strength / 100
    m = _mix(m, _matmul(_VINTAGE, m), amount)
    fade = 0.12 * amount  # lifted blacks, the faded print look
    return [[v * (1 - fade) for v in row] for row in m], [o + fade * 255 * c for o, c in zip(offset, (1.0, 0.92, 0.8))]


def _saturation_matrix(s: float) -> Matrix:
    return [[(1 - s) * _LUMA[c] + (s if r == c else 0.0) for c in range(3)] for r in range(3)]


def _matmul(a: Matrix, b: Matrix) -> Matrix:
    return [[sum(a[r][k] * b[k][c] for k in range(3)) for c in range(3)] for r in range(3)]


def _mix(a: Matrix, b: Matrix, t: float) -> Matrix:
    return [[a[r][c] * (1 - t) + b[r][c] * t for c in range(3)] for r in range(3)]
