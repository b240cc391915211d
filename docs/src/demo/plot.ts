// Canvas drawing for the browser demo: a scatter panel of 2-D points on the square [−r, r]² with a
// title, and the loss curve (each logged step faint, an exponential moving average on top). Pure
// functions of a 2-D context and the values, so any page can reuse them.
import type { LossPoint } from "./sct-trainer.js";

/** An RGB colour as a CSS string. */
export type Color = string;

/** Clears the canvas and draws the frame, axes through 0 and the title. Returns the data→pixel map. */
function frame(ctx: CanvasRenderingContext2D, title: string): { w: number; h: number } {
  const { width: w, height: h } = ctx.canvas;
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, w, h);
  ctx.strokeStyle = "#d0d0d0";
  ctx.lineWidth = 1;
  ctx.strokeRect(0.5, 0.5, w - 1, h - 1);
  ctx.fillStyle = "#333333";
  ctx.font = "13px sans-serif";
  ctx.fillText(title, 8, 17);
  return { w, h };
}

/** Draws interleaved (x, y) points on [−range, range]² (y up); returns how many fell inside. */
export function drawScatter(ctx: CanvasRenderingContext2D, points: Float32Array, color: Color, title: string, range = 1.2): number {
  const { w, h } = frame(ctx, title);
  ctx.strokeStyle = "#eeeeee";
  ctx.beginPath();
  ctx.moveTo(w / 2, 24);
  ctx.lineTo(w / 2, h);
  ctx.moveTo(0, h / 2);
  ctx.lineTo(w, h / 2);
  ctx.stroke();
  ctx.fillStyle = color;
  let inside = 0;
  for (let i = 0; i + 1 < points.length; i += 2) {
    const px = ((points[i]! + range) / (2 * range)) * w, py = ((range - points[i + 1]!) / (2 * range)) * h;
    if (!(px >= 0 && px < w && py >= 0 && py < h)) continue;
    inside++;
    ctx.fillRect(px - 1, py - 1, 2.5, 2.5);
  }
  return inside;
}

/** Draws the loss per step (faint) and its bias-corrected moving average with decay `beta` (solid). */
export function drawLossCurve(ctx: CanvasRenderingContext2D, losses: readonly LossPoint[], title = "sCT loss", beta = 0.9): void {
  const { w, h } = frame(ctx, title);
  if (losses.length < 2) return;
  // Bias-corrected moving average (as in Adam): m_k = β·m_{k−1} + (1 − β)·loss_k, shown as m_k/(1 − β^k).
  const smooth: number[] = [];
  let m = 0, bk = 1;
  for (const p of losses) {
    m = beta * m + (1 - beta) * p.loss;
    bk *= beta;
    smooth.push(m / (1 - bk));
  }
  // The y range covers the smoothed curve and most raw points (a few early spikes may be cut).
  const sorted = losses.map((p) => p.loss).sort((a, b) => a - b);
  const lo = Math.min(sorted[Math.floor(0.01 * (sorted.length - 1))]!, ...smooth), hi = Math.max(sorted[Math.floor(0.99 * (sorted.length - 1))]!, ...smooth);
  const pad = 0.05 * (hi - lo || 1), top = 28, left = 46, bottom = 20;
  const x = (s: number) => left + ((s - losses[0]!.step) / Math.max(1, losses[losses.length - 1]!.step - losses[0]!.step)) * (w - left - 8);
  const y = (v: number) => top + ((hi + pad - v) / (hi - lo + 2 * pad)) * (h - top - bottom);
  ctx.fillStyle = "#666666";
  ctx.font = "11px sans-serif";
  ctx.fillText((hi + pad).toFixed(2), 4, top + 4);
  ctx.fillText((lo - pad).toFixed(2), 4, h - bottom);
  ctx.fillText(`step ${losses[losses.length - 1]!.step}`, w - 70, h - 5);
  ctx.fillStyle = "rgba(31, 119, 180, 0.45)";
  for (const p of losses) ctx.fillRect(x(p.step) - 0.5, y(p.loss) - 0.5, 1.5, 1.5);
  ctx.strokeStyle = "#1f77b4";
  ctx.lineWidth = 2;
  ctx.beginPath();
  losses.forEach((p, i) => (i === 0 ? ctx.moveTo(x(p.step), y(smooth[i]!)) : ctx.lineTo(x(p.step), y(smooth[i]!))));
  ctx.stroke();
}
