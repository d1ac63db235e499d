"""Seed texts as scanned pages: what a township publishes when it posts the stamped, signed copy.

Used by the demo portals (one scanned PDF), the OCR tests and benchmarks/ocr.py. A page is the
text typeset on A4 at ``dpi`` with a CJK font; ``degrade`` makes it look scanned: a slight skew,
a red seal over the signature, grey noise and JPEG compression. Needs Pillow and a CJK font
(Debian: fonts-noto-cjk); ``cjk_font`` says None when there is none.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

FONT_PATHS = ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
              "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
              "/usr/share/fonts/truetype/arphic/uming.ttc")
A4_MM = (210, 297)


def cjk_font() -> Path | None:
    return next((Path(p) for p in FONT_PATHS if Path(p).exists()), None)


def _wrap(text: str, font: Any, width: int) -> Iterator[str]:
    for paragraph in text.split("\n"):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        line = "　　" if len(paragraph) > 30 else ""  # a body paragraph starts indented two characters
        for char in paragraph:
            if font.getlength(line + char) > width:
                yield line
                line = ""
            line += char
        if line:
            yield line


def text_pages(text: str, dpi: int = 200, font_pt: float = 14, max_pages: int | None = None) -> list[Any]:
    """The text typeset on white A4 pages (PIL images, greyscale), margins of 25 mm."""
    from PIL import Image, ImageDraw, ImageFont

    font_path = cjk_font()
    if font_path is None:
        raise RuntimeError("no CJK font installed (Debian: fonts-noto-cjk)")
    size = (round(A4_MM[0] / 25.4 * dpi), round(A4_MM[1] / 25.4 * dpi))
    margin = round(25 / 25.4 * dpi)
    font = ImageFont.truetype(str(font_path), round(font_pt / 72 * dpi))
    line_height = round(font_pt / 72 * dpi * 1.8)
    per_page = (size[1] - 2 * margin) // line_height
    lines = list(_wrap(text, font, size[0] - 2 * margin))
    pages = []
    for start in range(0, len(lines), per_page):
        page = Image.new("L", size, 255)
        draw = ImageDraw.Draw(page)
        for row, line in enumerate(lines[start:start + per_page]):
            draw.text((margin, margin + row * line_height), line, font=font, fill=0)
        pages.append(page)
        if max_pages and len(pages) >= max_pages:
            break
    return pages


def degrade(page: Any, seed: int = 0, skew: float | None = None, seal: bool = True, quality: int = 60) -> Any:
    """A page as a scanner and a stamp leave it: rotated 1 to 2 degrees, a red seal (a ring of
    text and a star) over the last lines, speckle, and JPEG compression. Returns an RGB image."""
    from PIL import Image, ImageDraw, ImageFont

    rng = random.Random(seed)
    rgb = page.convert("RGB")
    if seal:
        layer = Image.new("RGBA", rgb.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(layer)
        radius = rgb.size[0] // 9
        bottom = _last_ink_row(page)
        centre = (rgb.size[0] * 2 // 3, min(rgb.size[1] - radius - 10, bottom - radius // 3))
        red = (220, 30, 30, 150)
        draw.ellipse([centre[0] - radius, centre[1] - radius, centre[0] + radius, centre[1] + radius], outline=red, width=max(4, radius // 14))
        font_path = cjk_font()
        if font_path is not None:
            font = ImageFont.truetype(str(font_path), radius // 4)
            for i, char in enumerate("某某乡人民政府"):
                angle = math.radians(200 + i * 140 / 6)
                draw.text((centre[0] + 0.72 * radius * math.cos(angle) - radius // 8, centre[1] + 0.72 * radius * math.sin(angle) - radius // 8),
                          char, font=font, fill=red)
        star = [(centre[0] + (radius / 3 if k % 2 == 0 else radius / 7.5) * math.cos(math.radians(-90 + 36 * k)),
                 centre[1] + (radius / 3 if k % 2 == 0 else radius / 7.5) * math.sin(math.radians(-90 + 36 * k))) for k in range(10)]
        draw.polygon(star, fill=red)
        rgb = Image.alpha_composite(rgb.convert("RGBA"), layer).convert("RGB")
    angle = skew if skew is not None else rng.choice((-1, 1)) * rng.uniform(1.0, 2.0)
    rgb = rgb.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=(255, 255, 255))
    pixels = rgb.load()
    for _ in range(rgb.size[0] * rgb.size[1] // 4000):  # dust
        x, y = rng.randrange(rgb.size[0]), rng.randrange(rgb.size[1])
        shade = rng.randrange(90, 200)
        pixels[x, y] = (shade, shade, shade)
    buffer = io.BytesIO()
    rgb.save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def _last_ink_row(page: Any) -> int:
    box = page.point(lambda v: 255 if v < 128 else 0).getbbox()
    return int(box[3]) if box else int(page.size[1]) // 2


def scanned_pdf(pages: list[Any], dpi: int = 200) -> bytes:
    """An image-only PDF (no text layer) of the pages, as a scanner makes it."""
    buffer = io.BytesIO()
    images = [p.convert("RGB") for p in pages]
    images[0].save(buffer, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return buffer.getvalue()
