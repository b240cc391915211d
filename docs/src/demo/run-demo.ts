// The browser demo's controller: picks the backend (WebGPU through `setBackend("auto")` when the
// browser has `navigator.gpu`, the CPU backend otherwise or on any WebGPU error), trains in chunks
// of about 100 ms so the page stays responsive, redraws the loss curve after every chunk and the
// data / 1-step / 2-step scatter panels every half second, and reports its state to the page.
import * as c from "@scm-ts/core";
import { drawLossCurve, drawScatter } from "./plot.js";
import { createSctTrainer, defaultDemoConfig, type LossPoint, type SctTrainer } from "./sct-trainer.js";

/** The canvases the demo draws on. */
export interface DemoCanvases {
  readonly data: HTMLCanvasElement;
  readonly oneStep: HTMLCanvasElement;
  readonly twoStep: HTMLCanvasElement;
  readonly loss: HTMLCanvasElement;
}

/** What the page shows about the run. */
export interface DemoStatus {
  readonly backend: string;
  readonly step: number;
  readonly running: boolean;
  /** Mean loss of the first 5 steps, and of the last 20 (NaN before there are any). */
  readonly lossStart: number;
  readonly lossRecent: number;
  readonly stepsPerSecond: number;
  /** How many times the sample panels were redrawn. */
  readonly sampleDraws: number;
  /** At the last redraw, the fewest points that fell inside a panel (of 1000 per panel). */
  readonly pointsDrawn: number;
  /** A note (e.g. why the CPU backend is used), or an error. */
  readonly note: string;
}

/** A running demo. */
export interface DemoRun {
  stop(): void;
  /** Resolves when the run has stopped. */
  readonly done: Promise<void>;
}

const mean = (a: readonly LossPoint[]) => (a.length ? a.reduce((s, p) => s + p.loss, 0) / a.length : NaN);

/** Selects WebGPU when the browser has it and it works, else the CPU backend; returns the name and a note. */
export async function chooseBackend(): Promise<{ name: string; note: string }> {
  if (typeof navigator !== "undefined" && "gpu" in navigator) {
    try {
      await import("@scm-ts/webgpu");
      const b = await c.setBackend("auto");
      return { name: b.name, note: b.name === "webgpu" ? "" : "this browser exposes navigator.gpu but gives no WebGPU adapter" };
    } catch (e) {
      await c.setBackend("cpu");
      return { name: "cpu", note: `WebGPU failed (${(e as Error).message})` };
    }
  }
  await c.setBackend("cpu");
  return { name: "cpu", note: "this browser has no WebGPU (navigator.gpu)" };
}

/** Starts training; `maxSteps` ends the run by itself. */
export function startDemo(canvases: DemoCanvases, onStatus: (s: DemoStatus) => void, maxSteps = 3000): DemoRun {
  let stopped = false;
  const ctx = (el: HTMLCanvasElement) => el.getContext("2d")!;
  const done = (async () => {
    let { name: backend, note } = await chooseBackend();
    let trainer: SctTrainer = createSctTrainer(defaultDemoConfig);
    const losses: LossPoint[] = [];
    let sampleDraws = 0, pointsDrawn = 0, chunk = 5, lastDraw = -Infinity, rate = 0;
    const status = (running: boolean) =>
      onStatus({ backend, step: trainer.step, running, lossStart: mean(losses.slice(0, 5)), lossRecent: mean(losses.slice(-20)), stepsPerSecond: rate, sampleDraws, pointsDrawn, note });
    const drawSamples = async () => {
      const [data, one, two] = [await trainer.data(1000), await trainer.sample(1, 1000), await trainer.sample(2, 1000)];
      pointsDrawn = Math.min(
        drawScatter(ctx(canvases.data), data, "#555555", "data: ring of 8 Gaussians"),
        drawScatter(ctx(canvases.oneStep), one, "#1f77b4", `sCT, 1 step (step ${trainer.step})`),
        drawScatter(ctx(canvases.twoStep), two, "#d62728", `sCT, 2 steps (step ${trainer.step})`),
      );
      sampleDraws++;
      lastDraw = performance.now();
    };
    status(true);
    try {
      await drawSamples();
      while (!stopped && trainer.step < maxSteps) {
        const t0 = performance.now();
        let got: LossPoint[];
        try {
          got = await trainer.advance(Math.min(chunk, maxSteps - trainer.step));
        } catch (e) {
          if (backend === "cpu") throw e;
          // A WebGPU failure mid-run: start over on the CPU backend.
          note = `WebGPU failed during training (${(e as Error).message}); restarted on the CPU`;
          await c.setBackend("cpu");
          backend = "cpu";
          try {
            trainer.dispose();
          } catch {
            // the WebGPU device is gone with its buffers
          }
          trainer = createSctTrainer(defaultDemoConfig);
          losses.length = 0;
          continue;
        }
        const ms = performance.now() - t0;
        rate = (1000 * got.length) / Math.max(ms, 1);
        chunk = Math.max(1, Math.min(50, Math.round((chunk * 100) / Math.max(ms, 1))));
        losses.push(...got);
        drawLossCurve(ctx(canvases.loss), losses);
        if (performance.now() - lastDraw > 500) await drawSamples();
        status(true);
        await new Promise((r) => setTimeout(r, 0)); // let the page paint
      }
      await drawSamples();
    } catch (e) {
      note = `error: ${(e as Error).message}`;
    } finally {
      trainer.dispose();
      status(false);
    }
  })();
  return { stop: () => void (stopped = true), done };
}
