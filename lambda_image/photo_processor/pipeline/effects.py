"""Pixel effects: the filters that are not colour terms, registered in PIXEL_FILTERS under the
spec's names and applied in that order, in place. Each keeps at most one full-size companion
(3 bytes a pixel), under the peak the decode stage already sets."""

from __future__ import annotations

from typing import Callable

import cv2
import numpy as np

from photo_processor.pipeline.geometry import bands

PIXEL_FILTERS: dict[str, Callable[[np.ndarray, float], None]] = {}


def pixel_filter(name: str):
    def register(function):
        PIXEL_FILTERS[name] = function
        return function
    return register


def apply(pixels: np.ndarray, spec: dict) -> None:
    for name, apply in PIXEL_FILTERS.items():
        if spec["filters"][name]:
            apply(pixels, spec["filters"][name])


@pixel_filter("soft_blur")
def soft_focus(pixels: np.ndarray, strength: float) -> None:
    """A soft-focus glow: blur a quarter-size copy (16x less work), stretch it back, blend."""
    height, width = pixels.shape[:2]
    small = cv2.resize(pixels, (max(1, width // 4), max(1, height // 4)), interpolation=cv2.INTER_AREA)
    glow = cv2.resize(cv2.GaussianBlur(small, (0, 0), max(1.0, min(small.shape[:2]) / 150)), (width, height),
                      interpolation=cv2.INTER_LINEAR)
    amount = 0.6 * strength / 100
    cv2.addWeighted(pixels, 1 - amount, glow, amount, 0, dst=pixels)


@pixel_filter("vignette")
def vignette(pixels: np.ndarray, strength: float) -> None:
    """Darkened corners: a falloff made at 256x256 (a radial falloff has no detail to lose),
    stretched to one byte per pixel and applied band by band with OpenCV's 8-bit multiply."""
    y, x = np.mgrid[-1:1:256j, -1:1:256j]
    radius = np.sqrt(x * x + y * y) / np.sqrt(2)
    keep = 255 * (1 - strength / 100 * 0.8 * np.clip((radius - 0.35) / 0.65, 0, 1) ** 2)
    height, width = pixels.shape[:2]
    mask = cv2.resize(np.round(keep).astype(np.uint8), (width, height), interpolation=cv2.INTER_LINEAR)
    for top, bottom in bands(height, pixels[0].nbytes):
        band = pixels[top:bottom]
        cv2.multiply(band, cv2.merge([mask[top:bottom]] * 3), dst=band, scale=1 / 255)
