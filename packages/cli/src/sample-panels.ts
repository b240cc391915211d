// A row of scatter plots in one PNG, one panel per set of 2-D samples on shared axes, so models can be
// compared with the data side by side (the demo's samples.png, the experiments' figures). Panels wrap
// after `perLine`; the axes default to the first panel's range with a margin, as the first is the data.
import type { Tensor } from "@scm-ts/core";
import { scatterPlot, type AxisRange, type RasterImage, type Rgb } from "@scm-ts/io";
import { writePng } from "@scm-ts/io/node";

/** One panel: samples [n, 2] drawn in a colour, titled by its legend. */
export interface SamplePanel {
  /** The caption drawn in the panel's corner. */
  readonly label: string;
  /** The points to plot, [n, 2]. */
  readonly x: Tensor;
  /** The points' colour. */
  readonly color: Rgb;
}

/** Options of `writeSamplePanels`. */
export interface SamplePanelOptions {
  /** Panels per line; default 5. */
  readonly perLine?: number;
  /** Side of a square panel in pixels; default 300. */
  readonly size?: number;
  /** Both axes' range; default the first panel's bounding square with a 10% margin. */
  readonly axis?: AxisRange;
}

// The smallest square holding every finite point, widened by 10% on each side.
function squareRange(points: ArrayLike<number>): AxisRange {
  let min = Infinity, max = -Infinity;
  for (let i = 0; i < points.length; i++) if (Number.isFinite(points[i]!)) (min = Math.min(min, points[i]!)), (max = Math.max(max, points[i]!));
  if (!(max > min)) return { min: -1, max: 1 };
  const pad = 0.1 * (max - min);
  return { min: min - pad, max: max + pad };
}

/** Writes the panels as one PNG, atomically; throws on samples that are not [n, 2] or a failed write. */
export async function writeSamplePanels(file: string, panels: readonly SamplePanel[], o: SamplePanelOptions = {}): Promise<void> {
  if (panels.length === 0) throw new RangeError("writeSamplePanels: no panels; pass at least one set of samples");
  for (const p of panels) if (p.x.shape.length !== 2 || p.x.shape[1] !== 2) throw new RangeError(`writeSamplePanels: ${p.label} has shape [${p.x.shape.join(", ")}]; panels plot 2-D samples [n, 2]`);
  const points = await Promise.all(panels.map((p) => p.x.data()));
  const axis = o.axis ?? squareRange(points[0]!);
  const size = o.size ?? 300, perLine = Math.min(o.perLine ?? 5, panels.length);
  const images = panels.map((p, i) => scatterPlot([{ points: points[i]!, color: p.color, label: p.label }], { width: size, height: size, x: axis, y: axis }));
  await writePng(file, tileImages(images, perLine));
}

/** RGB images of one size laid out left to right, wrapping after `perLine`, on a white background. */
export function tileImages(images: readonly RasterImage[], perLine: number): RasterImage {
  const w = images[0]?.width ?? 0, h = images[0]?.height ?? 0;
  if (images.length === 0 || images.some((p) => p.width !== w || p.height !== h || p.channels !== 3)) throw new RangeError("tileImages: pass one or more RGB images of one size");
  const W = w * perLine, H = h * Math.ceil(images.length / perLine);
  const img = new Uint8Array(W * H * 3).fill(255);
  images.forEach((p, i) => {
    const x0 = (i % perLine) * w, y0 = Math.floor(i / perLine) * h;
    for (let y = 0; y < h; y++) img.set(p.data.subarray(y * w * 3, (y + 1) * w * 3), ((y0 + y) * W + x0) * 3);
  });
  return { width: W, height: H, channels: 3, data: img };
}
