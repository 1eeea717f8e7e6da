"""The edit spec: what a photographer asks to be done to a photo.

One module for the web app, the CLI and the Lambda. The controls below are the registry: the
spec validates against them, the pipeline implements each of them (a test holds the two to
the same names) and the web app builds its edit form from `form_schema()`.

A spec names a preset and overrides any of its values; `parse` validates it and returns it
resolved (every value explicit), which is what the pipeline applies. The compact form the user
wrote travels with the upload as S3 object metadata (`x-amz-meta-edit-spec`, JSON). No spec
means `original`: no adjustments at all.

    {"version": 1, "preset": "natural",
     "adjust":  {"exposure": 0.3, "contrast": 10, ...},
     "filters": {"vignette": 30, "black_and_white": true, ...},
     "crop": "4:5", "rotate": 90, "flip": "horizontal",
     "watermark": {"text": "PROOF - VividArt", "opacity": 40}}
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import asdict, dataclass
from typing import Any

SCHEMA_VERSION = 1
METADATA_KEY = "edit-spec"  # S3 user metadata name (sent as x-amz-meta-edit-spec)
# S3 allows 2 KB of user metadata in all; the spec must leave room for the rest.
MAX_METADATA_BYTES = 1536


@dataclass(frozen=True)
class Control:
    """One slider or switch of the edit form; `neutral` changes nothing."""

    label: str
    low: float = 0
    high: float = 100
    step: float = 1
    neutral: float | bool = 0
    hint: str = ""  # what the two ends of the slider do, in a photographer's words
    toggle: bool = False


ADJUSTMENTS: dict[str, Control] = {
    "exposure": Control("Exposure", -3, 3, 0.05, hint="darker / brighter, in stops"),
    "brightness": Control("Brightness", -100, 100),
    "contrast": Control("Contrast", -100, 100, hint="flatter / punchier"),
    "saturation": Control("Saturation", -100, 100, hint="muted / vivid"),
    "vibrance": Control("Vibrance", -100, 100, hint="a gentler saturation"),
    "temperature": Control("Temperature", -100, 100, hint="cooler / warmer"),
    "tint": Control("Tint", -100, 100, hint="greener / more magenta"),
    "highlights": Control("Highlights", -100, 100, hint="recover / brighten the bright tones"),
    "shadows": Control("Shadows", -100, 100, hint="deepen / open up the dark tones"),
    "sharpness": Control("Sharpness", 0, 100),
}
FILTERS: dict[str, Control] = {
    "black_and_white": Control("Black & white", neutral=False, toggle=True),
    "sepia": Control("Sepia"),
    "vintage": Control("Vintage fade"),
    "vignette": Control("Vignette", hint="darkened corners"),
    "soft_blur": Control("Soft focus", hint="a dreamy glow"),
}
CROPS = ("original", "1:1", "4:5", "5:4", "2:3", "3:2", "16:9", "9:16")
ROTATIONS = (0, 90, 180, 270)
FLIPS = ("none", "horizontal", "vertical")
WATERMARK_MAX_CHARS = 80
WATERMARK_OPACITY = 35

NEUTRAL: dict[str, Any] = {
    "adjust": {name: control.neutral for name, control in ADJUSTMENTS.items()},
    "filters": {name: control.neutral for name, control in FILTERS.items()},
    "crop": "original",
    "rotate": 0,
    "flip": "none",
    "watermark": None,
}

# Studio looks: a label and overrides of NEUTRAL.
PRESETS: dict[str, tuple[str, dict[str, Any]]] = {
    "original": ("Original", {}),
    "natural": ("Natural", {"adjust": {"contrast": 8, "vibrance": 15, "shadows": 10, "sharpness": 25}}),
    "warm_portrait": ("Warm portrait", {
        "adjust": {"exposure": 0.15, "temperature": 25, "tint": 4, "contrast": 5, "saturation": -5,
                   "highlights": -15, "sharpness": 15},
        "filters": {"soft_blur": 12, "vignette": 15}}),
    "classic_black_and_white": ("Classic black & white", {
        "adjust": {"contrast": 25, "shadows": -10, "sharpness": 30},
        "filters": {"black_and_white": True, "vignette": 20}}),
    "vintage": ("Vintage", {
        "adjust": {"contrast": -12, "saturation": -25, "temperature": 15},
        "filters": {"vintage": 60, "vignette": 35}}),
}


class SpecError(ValueError):
    """The spec is not valid; the message says why, for the person who wrote it."""


def parse(raw: str | dict | None) -> dict[str, Any]:
    """Validate a spec (JSON text, a mapping, or nothing) and return it resolved."""
    user = _as_mapping(raw)
    unknown = set(user) - {"version", "preset", *NEUTRAL}
    if unknown:
        raise SpecError(f"unknown edit spec field(s): {', '.join(sorted(unknown))}")
    version = user.get("version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION:
        raise SpecError(f"edit spec version {version!r} is not supported (expected {SCHEMA_VERSION})")
    preset = user.get("preset", "original")
    if not isinstance(preset, str) or preset not in PRESETS:
        raise SpecError(f"unknown preset {preset!r}; choose one of: {', '.join(PRESETS)}")
    resolved = copy.deepcopy(NEUTRAL)
    for layer in (PRESETS[preset][1], user):
        for section in ("adjust", "filters"):
            values = layer.get(section, {})
            if not isinstance(values, dict):
                raise SpecError(f"{section} must be an object")
            resolved[section].update(values)
        for field in ("crop", "rotate", "flip", "watermark"):
            if field in layer:
                resolved[field] = copy.deepcopy(layer[field])
    _check(resolved)
    return {"version": SCHEMA_VERSION, "preset": preset, **resolved}


def _as_mapping(raw) -> dict:
    if raw is None or raw == "":
        return {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as error:
            raise SpecError(f"edit spec is not valid JSON: {error.msg}") from None
    if not isinstance(raw, dict):
        raise SpecError("edit spec must be a JSON object")
    return raw


def _number(where: str, value, low: float, high: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise SpecError(f"{where} must be a number from {low:g} to {high:g}")
    if not low <= value <= high:
        raise SpecError(f"{where} is {value:g}; it must be from {low:g} to {high:g}")


def _check(spec: dict) -> None:
    for section, registry in (("adjust", ADJUSTMENTS), ("filters", FILTERS)):
        for name, value in spec[section].items():
            control = registry.get(name)
            if control is None:
                kind = "adjustment" if section == "adjust" else "filter"
                raise SpecError(f"unknown {kind} {name!r}; choose from: {', '.join(registry)}")
            if control.toggle:
                if not isinstance(value, bool):
                    raise SpecError(f"{section}.{name} must be true or false")
            else:
                _number(f"{section}.{name}", value, control.low, control.high)
    if not isinstance(spec["crop"], str) or spec["crop"] not in CROPS:
        raise SpecError(f"crop {spec['crop']!r} is not one of: {', '.join(CROPS)}")
    if isinstance(spec["rotate"], bool) or spec["rotate"] not in ROTATIONS:
        raise SpecError(f"rotate must be one of {', '.join(map(str, ROTATIONS))}")
    if not isinstance(spec["flip"], str) or spec["flip"] not in FLIPS:
        raise SpecError(f"flip must be one of: {', '.join(FLIPS)}")
    mark = spec["watermark"]
    if mark is not None:
        if not isinstance(mark, dict) or set(mark) - {"text", "opacity"}:
            raise SpecError('watermark must be {"text": ..., "opacity": 0-100}')
        text = mark.get("text")
        if not isinstance(text, str) or not text.strip() or len(text) > WATERMARK_MAX_CHARS:
            raise SpecError(f"watermark.text must be 1 to {WATERMARK_MAX_CHARS} characters")
        if re.search(r"[\x00-\x1f]", text):
            raise SpecError("watermark.text must not contain control characters")
        _number("watermark.opacity", mark.setdefault("opacity", WATERMARK_OPACITY), 0, 100)


def canonical_json(spec: dict[str, Any]) -> str:
    return json.dumps(spec, sort_keys=True, separators=(",", ":"))


def compact(spec: dict[str, Any] | str | None) -> dict[str, Any]:
    """The shortest spec that resolves to the same thing: the preset plus what differs from it."""
    resolved = parse(spec)
    base = parse({"preset": resolved["preset"]})
    out: dict[str, Any] = {"version": SCHEMA_VERSION, "preset": resolved["preset"]}
    for section in ("adjust", "filters"):
        changed = {k: v for k, v in resolved[section].items() if base[section][k] != v}
        if changed:
            out[section] = changed
    for field in ("crop", "rotate", "flip", "watermark"):
        if resolved[field] != base[field]:
            out[field] = resolved[field]
    return out


def to_metadata(spec: dict[str, Any] | str | None) -> str:
    """The spec as it is stored with the photo: what the user asked, compact, with its version."""
    text = canonical_json(compact(spec))
    if len(text.encode()) > MAX_METADATA_BYTES:
        raise SpecError(f"edit spec is {len(text.encode())} bytes; at most {MAX_METADATA_BYTES} fit in S3 metadata")
    return text


def form_schema() -> dict[str, Any]:
    """Everything an edit form needs, from this registry alone."""
    return {
        "version": SCHEMA_VERSION,
        "presets": [{"name": name, "label": label, "spec": parse({"preset": name})}
                    for name, (label, _) in PRESETS.items()],
        "adjust": [{"name": name, **asdict(control)} for name, control in ADJUSTMENTS.items()],
        "filters": [{"name": name, **asdict(control)} for name, control in FILTERS.items()],
        "crops": list(CROPS), "rotations": list(ROTATIONS), "flips": list(FLIPS),
        "watermark": {"max_chars": WATERMARK_MAX_CHARS, "opacity": WATERMARK_OPACITY},
    }
