"""Pictures on the way out: re-encoded without EXIF/GPS, upright, no larger than shown.

Each picture also gets smaller copies at the widths the theme shows it (for `srcset`),
named by width beside the original: dock.jpg -> dock-400w.jpg.
"""

from __future__ import annotations

import io
import posixpath
import warnings
from dataclasses import dataclass

from PIL import Image as PILImage
from PIL import ImageOps

MAX_PIXELS = 40_000_000        # a 40-megapixel photo is the largest we take in

PILImage.MAX_IMAGE_PIXELS = MAX_PIXELS


@dataclass(frozen=True)
class Picture:
    """A cleaned image: its bytes and its size in pixels."""

    data: bytes
    width: int
    height: int
    copies: tuple["Picture", ...] = ()      # smaller copies, narrowest first

    def sizes(self) -> "Picture":
        """The same picture and copies without their bytes: what pages need of it."""
        return Picture(b"", self.width, self.height, tuple(copy.sizes() for copy in self.copies))


def copy_path(path: str, width: int) -> str:
    """Where the copy of a picture `width` pixels wide goes: dock.jpg -> dock-400w.jpg."""
    stem, suffix = posixpath.splitext(path)
    return f"{stem}-{width}w{suffix}"


class BadImage(ValueError):
    """The file is not an image we can take in."""


def clean_image(raw: bytes, max_width: int, widths: tuple[int, ...] = (),
                square: bool = False) -> Picture:
    """Re-encode an image: apply its orientation, drop all metadata, shrink to max_width.

    `widths` asks for smaller copies too (cropped to a centred square when `square`),
    each only where it is narrower than the picture itself.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(io.BytesIO(raw)) as opened:
                if opened.width * opened.height > MAX_PIXELS:
                    raise BadImage(f"the image is {opened.width}x{opened.height} pixels; "
                                   f"the limit is {MAX_PIXELS // 1_000_000} megapixels")
                kind = opened.format
                opened.load()
                image = ImageOps.exif_transpose(opened)
    except BadImage:
        raise
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as exc:
        raise BadImage("the image is too large to open safely") from exc
    except PILImage.UnidentifiedImageError as exc:
        raise BadImage("the file is not a readable image: save it again as JPEG or PNG") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise BadImage(f"the file is not a readable image ({exc})") from exc
    if image.width > max_width:
        height = max(1, round(image.height * max_width / image.width))
        image = image.resize((max_width, height), PILImage.LANCZOS)
    return Picture(_encode(image, kind), image.width, image.height,
                   _copies(image, kind, widths, square))


def _copies(image: PILImage.Image, kind: str, widths: tuple[int, ...],
            square: bool) -> tuple[Picture, ...]:
    if square and image.width != image.height:
        side = min(image.width, image.height)
        image = ImageOps.fit(image, (side, side), PILImage.LANCZOS)
    copies = []
    for width in sorted(set(widths)):
        if width >= image.width:
            break
        height = max(1, round(image.height * width / image.width))
        smaller = image.resize((width, height), PILImage.LANCZOS)
        copies.append(Picture(_encode(smaller, kind), width, height))
    return tuple(copies)


def _encode(image: PILImage.Image, kind: str) -> bytes:
    """Save in the format the file came in, so that its name and URL stay as written."""
    out = io.BytesIO()
    if kind == "JPEG":
        image = image if image.mode in ("RGB", "L") else image.convert("RGB")
        image.save(out, format="JPEG", quality=85, optimize=True, progressive=True)
    elif kind == "WEBP":
        image.save(out, format="WEBP", quality=85, method=4)
    elif kind == "GIF":
        image.save(out, format="GIF", optimize=True)
    else:
        if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            image = image.convert("RGBA")
        image.save(out, format="PNG", optimize=True)
    return out.getvalue()
