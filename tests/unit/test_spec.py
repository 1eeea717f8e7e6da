import pytest

from photo_jobs import spec


def test_no_spec_means_original():
    assert spec.parse(None) == {"version": 1, "preset": "original"}
    assert spec.parse("") == spec.parse(None)


def test_json_text_and_mapping_agree():
    assert spec.parse('{"preset": "original"}') == spec.parse({"preset": "original"})


@pytest.mark.parametrize("raw, message", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "must be a JSON object"),
    ({"preset": "sparkle"}, "unknown preset 'sparkle'"),
    ({"version": 9}, "version 9 is not supported"),
    ({"brightnes": 1}, "unknown edit spec field(s): brightnes"),
])
def test_bad_specs_say_why(raw, message):
    with pytest.raises(spec.SpecError, match=message.replace("(", r"\(").replace(")", r"\)")):
        spec.parse(raw)


def test_digest_names_spec_and_bytes():
    base = spec.digest({}, '"abc"')
    assert base == spec.digest(None, "abc")  # quotes around an ETag do not matter
    assert base != spec.digest({}, "abd")


def test_resolve_gives_a_job_even_for_a_bad_spec():
    parsed, job_id, error = spec.resolve('{"preset": "nope"}', "etag")
    assert parsed is None and "unknown preset" in error
    assert job_id == spec.digest({}, "etag")


def test_metadata_is_compact_and_bounded():
    assert spec.to_metadata({}) == '{"preset":"original","version":1}'
