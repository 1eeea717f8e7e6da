"""The edit spec: what a photographer asks to be done to a photo.

One module for the web app, the CLI and the Lambda. A spec names a preset and overrides any of
its values; `parse` validates it and returns the *resolved* spec (every value explicit), which is
what the pipeline applies and what the job digest names. The compact form the user wrote travels
with the upload as S3 object metadata (`x-amz-meta-edit-spec`, JSON). No spec means `original`:
no adjustments at all.

    {"version": 1, "preset": "natural",
     "adjust":  {"exposure": 0.3, "contrast": 10, ...},      # see ADJUSTMENTS for ranges
     "filters": {"vignette": 30, "black_and_white": true, ...},
     "crop": "4:5", "rotate": 90, "flip": "horizontal",
     "watermark": {"text": "PROOF - VividArt", "opacity": 40}}
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from typing import Any

SCHEMA_VERSION = 1
METADATA_KEY = "edit-spec"  # S3 user metadata name (sent as x-amz-meta-edit-spec)
# S3 allows 2 KB of user metadata in all; the spec must leave room for the rest.
MAX_METADATA_BYTES = 1536

# name: (lowest, highest); 0 means "no change" for every adjustment.
ADJUSTMENTS: dict[str, tuple[float, float]] = {
    "exposure": (-3.0, 3.0),      # stops
    "brightness": (-100, 100),
    "contrast": (-100, 100),
    "saturation": (-100, 100),
    "vibrance": (-100, 100),      # a gentler saturation (0.6x as strong)
    "temperature": (-100, 100),   # negative cooler (blue), positive warmer (amber)
    "tint": (-100, 100),          # negative green, positive magenta
    "highlights": (-100, 100),
    "shadows": (-100, 100),
    "sharpness": (0, 100),
}
FILTERS: dict[str, tuple[float, float] | type] = {
    "black_and_white": bool,
    "sepia": (0, 100),
    "vintage": (0, 100),
    "vignette": (0, 100),
    "soft_blur": (0, 100),
}
CROPS = ("original", "1:1", "4:5", "5:4", "2:3", "3:2", "16:9", "9:16")
ROTATIONS = (0, 90, 180, 270)
FLIPS = ("none", "horizontal", "vertical")
WATERMARK_MAX_CHARS = 80

NEUTRAL: dict[str, Any] = {
    "adjust": {name: 0 for name in ADJUSTMENTS},
    "filters": {name: (False if kind is bool else 0) for name, kind in FILTERS.items()},
    "crop": "original",
    "rotate": 0,
    "flip": "none",
    "watermark": None,
}

# Studio looks: overrides of NEUTRAL.
PRESETS: dict[str, dict[str, Any]] = {
    "original": {},
    "natural": {"adjust": {"contrast": 8, "vibrance": 15, "shadows": 10, "sharpness": 25}},
    "warm_portrait": {"adjust": {"exposure": 0.15, "temperature": 25, "tint": 4, "contrast": 5,
                                 "saturation": -5, "highlights": -15, "sharpness": 15},
                      "filters": {"soft_blur": 12, "vignette": 15}},
    "classic_black_and_white": {"adjust": {"contrast": 25, "shadows": -10, "sharpness": 30},
                                "filters": {"black_and_white": True, "vignette": 20}},
    "vintage": {"adjust": {"contrast": -12, "saturation": -25, "temperature": 15},
                "filters": {"vintage": 60, "vignette": 35}},
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
    if preset not in PRESETS:
        raise SpecError(f"unknown preset {preset!r}; choose one of: {', '.join(PRESETS)}")
    resolved = copy.deepcopy(NEUTRAL)
    for layer in (PRESETS[preset], user):
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
    for name, value in spec["adjust"].items():
        if name not in ADJUSTMENTS:
            raise SpecError(f"unknown adjustment {name!r}; choose from: {', '.join(ADJUSTMENTS)}")
        _number(f"adjust.{name}", value, *ADJUSTMENTS[name])
    for name, value in spec["filters"].items():
        kind = FILTERS.get(name)
        if kind is None:
            raise SpecError(f"unknown filter {name!r}; choose from: {', '.join(FILTERS)}")
        if kind is bool:
            if not isinstance(value, bool):
                raise SpecError(f"filters.{name} must be true or false")
        else:
            _number(f"filters.{name}", value, *kind)
    if spec["crop"] not in CROPS:
        raise SpecError(f"crop {spec['crop']!r} is not one of: {', '.join(CROPS)}")
    if spec["rotate"] not in ROTATIONS or isinstance(spec["rotate"], bool):
        raise SpecError(f"rotate must be one of {', '.join(map(str, ROTATIONS))}")
    if spec["flip"] not in FLIPS:
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
        _number("watermark.opacity", mark.setdefault("opacity", 35), 0, 100)


def canonical_json(spec: dict[str, Any]) -> str:
    return json.dumps(spec, sort_keys=True, separators=(",", ":"))


def compact(spec: dict[str, Any]) -> dict[str, Any]:
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


def to_metadata(spec: dict[str, Any]) -> str:
    text = canonical_json(compact(spec))
    if len(text.encode()) > MAX_METADATA_BYTES:
        raise SpecError(f"edit spec is {len(text.encode())} bytes; at most {MAX_METADATA_BYTES} fit in S3 metadata")
    return text


def digest(spec: dict[str, Any] | None, source_etag: str) -> str:
    """Names one result: the same photo bytes with the same resolved spec give the same digest."""
    material = f"{canonical_json(parse(spec))}\n{source_etag.strip('\"')}"
    return hashlib.sha256(material.encode()).hexdigest()[:20]


def resolve(raw_metadata: str | None, source_etag: str) -> tuple[dict[str, Any] | None, str, str | None]:
    """(spec, job id, error) for an uploaded object: how the Lambda and the web app agree on a job.

    An invalid spec still names a job (that of `original`), so its failure can be recorded and found.
    """
    try:
        spec = parse(raw_metadata)
    except SpecError as error:
        return None, digest({}, source_etag), str(error)
    return spec, digest(spec, source_etag), None
