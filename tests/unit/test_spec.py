import json

import pytest

from photo_jobs import spec


def test_no_spec_means_original_with_no_adjustments():
    resolved = spec.parse(None)
    assert resolved == {"version": spec.SCHEMA_VERSION, "preset": "original", **spec.NEUTRAL}
    assert not any(resolved["adjust"].values()) and not any(resolved["filters"].values())
    assert spec.parse("") == resolved == spec.parse({"preset": "original"})


def test_a_preset_plus_overrides():
    resolved = spec.parse({"preset": "natural", "adjust": {"contrast": -20}, "crop": "4:5"})
    assert resolved["adjust"]["contrast"] == -20          # the override wins
    assert resolved["adjust"]["vibrance"] == spec.PRESETS["natural"][1]["adjust"]["vibrance"]  # the rest stays
    assert resolved["crop"] == "4:5"


@pytest.mark.parametrize("preset", list(spec.PRESETS))
def test_every_preset_is_valid(preset):
    assert spec.parse({"preset": preset})["preset"] == preset


@pytest.mark.parametrize("raw, message", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "must be a JSON object"),
    ({"preset": "sparkle"}, "unknown preset 'sparkle'"),
    ({"version": 9}, "version 9 is not supported"),
    ({"brightnes": 1}, "unknown edit spec field(s): brightnes"),
    ({"adjust": {"exposure": 4}}, "adjust.exposure is 4; it must be from -3 to 3"),
    ({"adjust": {"contrast": "high"}}, "adjust.contrast must be a number from -100 to 100"),
    ({"adjust": {"contrast": True}}, "adjust.contrast must be a number"),
    ({"adjust": {"glow": 1}}, "unknown adjustment 'glow'"),
    ({"filters": {"black_and_white": 1}}, "filters.black_and_white must be true or false"),
    ({"filters": {"vignette": 101}}, "filters.vignette is 101"),
    ({"crop": "7:3"}, "crop '7:3' is not one of"),
    ({"rotate": 45}, "rotate must be one of 0, 90, 180, 270"),
    ({"flip": "diagonal"}, "flip must be one of"),
    ({"watermark": {"text": ""}}, "watermark.text must be 1 to 80 characters"),
    ({"watermark": {"text": "x" * 81}}, "watermark.text must be 1 to 80 characters"),
    ({"watermark": {"text": "PROOF", "opacity": 150}}, "watermark.opacity is 150"),
    ({"adjust": []}, "adjust must be an object"),
])
def test_bad_specs_say_why(raw, message):
    with pytest.raises(spec.SpecError) as error:
        spec.parse(raw)
    assert message in str(error.value)


def test_watermark_gets_a_default_opacity_without_touching_the_input():
    given = {"watermark": {"text": "PROOF - VividArt"}}
    assert spec.parse(given)["watermark"] == {"text": "PROOF - VividArt", "opacity": 35}
    assert given == {"watermark": {"text": "PROOF - VividArt"}}


def test_metadata_is_the_compact_form_and_fits_s3():
    text = spec.to_metadata({"preset": "vintage", "adjust": {"exposure": 0.5}})
    assert json.loads(text) == {"version": 1, "preset": "vintage", "adjust": {"exposure": 0.5}}
    assert spec.parse(text) == spec.parse({"preset": "vintage", "adjust": {"exposure": 0.5}})
    everything = {"adjust": {k: c.high for k, c in spec.ADJUSTMENTS.items()},
                  "filters": {"sepia": 100, "vintage": 100, "vignette": 100, "soft_blur": 100, "black_and_white": True},
                  "crop": "16:9", "rotate": 270, "flip": "vertical", "watermark": {"text": "W" * 80, "opacity": 100}}
    assert len(spec.to_metadata(everything).encode()) <= spec.MAX_METADATA_BYTES


def test_the_form_schema_comes_from_the_registry():
    form = spec.form_schema()
    assert [c["name"] for c in form["adjust"]] == list(spec.ADJUSTMENTS)
    assert [c["name"] for c in form["filters"]] == list(spec.FILTERS)
    exposure = next(c for c in form["adjust"] if c["name"] == "exposure")
    assert (exposure["label"], exposure["low"], exposure["high"]) == ("Exposure", -3, 3)
    natural = next(p for p in form["presets"] if p["name"] == "natural")
    assert natural["label"] == "Natural" and natural["spec"] == spec.parse({"preset": "natural"})
    assert all(c["label"] and c["label"][0].isupper() for c in form["adjust"] + form["filters"])
