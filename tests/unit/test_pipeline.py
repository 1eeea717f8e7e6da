import io

import pytest
from PIL import Image

from photo_processor.pipeline import PermanentError, render
from support import photo


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_original_spec_gives_a_full_size_jpeg():
    [full] = render(photo(320, 240), {"version": 1, "preset": "original"})
    image = decode(full.data)
    assert (full.name, full.format, image.format) == ("full", "jpeg", "JPEG")
    assert image.size == (320, 240) == (full.width, full.height)


def test_exif_orientation_is_applied():
    [full] = render(photo(320, 240, orientation=6), {})
    assert decode(full.data).size == (240, 320)


def test_colours_survive_within_jpeg_tolerance():
    source = Image.open(io.BytesIO(photo(64, 64)))
    [full] = render(photo(64, 64), {})
    a, b = source.convert("RGB").getpixel((32, 32)), decode(full.data).getpixel((32, 32))
    assert all(abs(x - y) <= 6 for x, y in zip(a, b))


@pytest.mark.parametrize("data, reason", [
    (b"this is not an image", "unsupported"),
    (photo(320, 240)[:600], "corrupt"),
])
def test_bad_files_fail_permanently_with_a_reason(data, reason):
    with pytest.raises(PermanentError) as failure:
        render(data, {})
    assert failure.value.reason == reason


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_pixel_bomb_is_refused_before_decoding():
    out = io.BytesIO()
    Image.new("1", (12000, 12000)).save(out, "PNG")  # 144 MP in a few kB
    with pytest.raises(PermanentError) as failure:
        render(out.getvalue(), {})
    assert failure.value.reason == "too_large"
