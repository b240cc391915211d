// Drawing on an RGB raster: pixels (opaque or blended), axis-aligned rectangles, straight lines
// (Bresenham, with an optional thickness) and text in the 5×7 bitmap font, the primitives the plots
// are rasterised with. Everything outside the image is clipped silently.
import { glyph, glyphHeight, glyphWidth } from "./bitmap-font.js";
import { rasterImage, type RasterImage } from "./raster-image.js";

/** An RGB colour, 0–255 per channel. */
export type Rgb = readonly [red: number, green: number, blue: number];

/** A white RGB canvas. */
export function canvas(width: number, height: number, background: Rgb = [255, 255, 255]): RasterImage {
  return rasterImage(width, height, 3, background);
}

/** Mixes `color` into pixel (x, y) with opacity `alpha` ∈ [0, 1] (1 paints over). */
export function blendPixel(image: RasterImage, x: number, y: number, color: Rgb, alpha = 1): void {
  if (x < 0 || y < 0 || x >= image.width || y >= image.height || !Number.isInteger(x) || !Number.isInteger(y)) return;
  const at = (y * image.width + x) * image.channels;
  for (let c = 0; c < 3; c++) image.data[at + c] = Math.round(image.data[at + c]! * (1 - alpha) + color[c]! * alpha);
}

/** Fills the rectangle [x, x + w) × [y, y + h). */
export function fillRect(image: RasterImage, x: number, y: number, w: number, h: number, color: Rgb, alpha = 1): void {
  for (let j = Math.max(0, y); j < Math.min(image.height, y + h); j++) {
    for (let i = Math.max(0, x); i < Math.min(image.width, x + w); i++) blendPixel(image, i, j, color, alpha);
  }
}

/** Clips the segment to the box [lo, hiX] × [lo, hiY] (Liang–Barsky); null when it misses the box. */
function clipSegment(x0: number, y0: number, x1: number, y1: number, hiX: number, hiY: number): [number, number, number, number] | null {
  const lo = -1;
  let t0 = 0, t1 = 1;
  const dx = x1 - x0, dy = y1 - y0;
  const edges: [number, number][] = [[-dx, x0 - lo], [dx, hiX - x0], [-dy, y0 - lo], [dy, hiY - y0]];
  for (const [p, q] of edges) {
    if (p === 0) {
      if (q < 0) return null;
    } else {
      const r = q / p;
      if (p < 0) t0 = Math.max(t0, r);
      else t1 = Math.min(t1, r);
    }
  }
  return t0 > t1 ? null : [x0 + t0 * dx, y0 + t0 * dy, x0 + t1 * dx, y0 + t1 * dy];
}

/** Draws a line from (x0, y0) to (x1, y1) (pixel centres, rounded) with Bresenham's algorithm. */
export function drawLine(image: RasterImage, x0: number, y0: number, x1: number, y1: number, color: Rgb, thickness = 1): void {
  if (![x0, y0, x1, y1].every(Number.isFinite)) return;
  const clipped = clipSegment(x0, y0, x1, y1, image.width, image.height);
  if (clipped === null) return;
  let x = Math.round(clipped[0]), y = Math.round(clipped[1]);
  const xe = Math.round(clipped[2]), ye = Math.round(clipped[3]);
  const dx = Math.abs(xe - x), dy = -Math.abs(ye - y);
  const sx = x < xe ? 1 : -1, sy = y < ye ? 1 : -1;
  const half = Math.floor((thickness - 1) / 2);
  let err = dx + dy;
  for (;;) {
    if (thickness <= 1) blendPixel(image, x, y, color);
    else fillRect(image, x - half, y - half, thickness, thickness, color);
    if (x === xe && y === ye) return;
    const e2 = 2 * err;
    if (e2 >= dy) (err += dy), (x += sx);
    if (e2 <= dx) (err += dx), (y += sy);
  }
}

/** The width in image pixels of `text` drawn at `scale`. */
export function textWidth(text: string, scale = 1): number {
  return text.length === 0 ? 0 : (text.length * (glyphWidth + 1) - 1) * scale;
}

/** The height in image pixels of text drawn at `scale`. */
export function textHeight(scale = 1): number {
  return glyphHeight * scale;
}

/** Draws `text` with its top-left corner at (x, y), each font pixel a `scale`×`scale` square. */
export function drawText(image: RasterImage, text: string, x: number, y: number, color: Rgb, scale = 1): void {
  [...text].forEach((ch, k) => {
    const rows = glyph(ch);
    const left = x + k * (glyphWidth + 1) * scale;
    for (let r = 0; r < glyphHeight; r++) {
      for (let c = 0; c < glyphWidth; c++) {
        if ((rows[r]! >> (glyphWidth - 1 - c)) & 1) fillRect(image, left + c * scale, y + r * scale, scale, scale, color);
      }
    }
  });
}
