"""The renditions every job makes, defined once: the processor makes them (its pipeline's outputs),
the web app names them in its API, its galleries and archives, and the tests ask for each.

Proofs carry the studio's name across the whole picture: what a client sees of a photo before
buying it, made with the others so a gallery opens at once.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rendition:
    name: str
    size: str  # the size it is encoded from: "full", "web" (2048 px) or "thumb" (400 px)
    format: str  # "JPEG" or "WEBP"
    quality: int
    proof: bool  # watermarked with the studio's name


# In the order a job makes them.
RENDITIONS = (Rendition("full", "full", "JPEG", 90, False), Rendition("web", "web", "JPEG", 85, False),
              Rendition("thumb", "thumb", "JPEG", 80, False), Rendition("web_webp", "web", "WEBP", 80, False),
              Rendition("thumb_webp", "thumb", "WEBP", 75, False), Rendition("proof", "web", "JPEG", 80, True),
              Rendition("proof_thumb", "thumb", "JPEG", 75, True))
NAMES = tuple(r.name for r in RENDITIONS)
