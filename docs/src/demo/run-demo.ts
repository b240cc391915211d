// The browser demo's controller: picks the backend (WebGPU through `setBackend("auto")` on a hardware
// adapter, or on any adapter with ?backend=webgpu; the CPU backend otherwise or on any WebGPU error), trains in chunks
// of about 100 ms so the page stays responsive, redraws the loss curve after every chunk and the
// data / 1-step / 2-step scatter panels every half second, and reports its state to the page. The
// run has two phases (sct-trainer.ts): diffusion pre-training, whose 1-step samples sit at the data's
// mean (a diffusion model is no one-step sampler), then sCT from the diffusion EMA, whose samples
// move onto the modes. The status, the panel titles and the loss curve follow the phase.
import * as c from "@scm-ts/core";
import { drawLossCurve, drawScatter } from "./plot.js";
import { createSctTrainer, defaultDemoConfig, type DemoPhase, type LossPoint, type SctTrainer } from "./sct-trainer.js";

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
  /** Steps done over both phases, and the run's total. */
  readonly step: number;
  readonly totalSteps: number;
  /** The phase the sampled weights come from: diffusion pre-training, then sCT. */
  readonly phase: DemoPhase;
  /** The phase as the page names it ("phase 1 of 2: diffusion pre-training", …). */
  readonly phaseLabel: string;
  readonly running: boolean;
  /** Mean loss of the current phase's first 5 steps, and of its last 20 (NaN before there are any). */
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

/** How the page names a phase, in the status line and the loss curve's title. */
export const phaseLabel: Record<DemoPhase, string> = { diffusion: "phase 1 of 2: diffusion pre-training", sct: "phase 2 of 2: sCT from the diffusion EMA" };

/**
 * Selects the backend: `setBackend("auto")` (WebGPU on a hardware adapter, else the CPU, which is
 * faster than a software adapter such as SwiftShader), or WebGPU on any adapter when the page's
 * address asks for it with `?backend=webgpu`; the CPU backend without navigator.gpu or on any WebGPU
 * error. Returns the name and a note for the page.
 */
export async function chooseBackend(): Promise<{ name: string; note: string }> {
  if (typeof navigator !== "undefined" && "gpu" in navigator) {
    const forced = typeof location !== "undefined" && new URLSearchParams(location.search).get("backend") === "webgpu";
    try {
      await import("@scm-ts/webgpu");
      const b = await c.setBackend(forced ? "webgpu" : "auto");
      return { name: b.name, note: b.name === "webgpu" ? "" : "this browser's WebGPU gives no hardware adapter (a software one is slower than the CPU; add ?backend=webgpu to the address to use it anyway)" };
    } catch (e) {
      await c.setBackend("cpu");
      return { name: "cpu", note: `WebGPU failed (${(e as Error).message})` };
    }
  }
  await c.setBackend("cpu");
  return { name: "cpu", note: "this browser has no WebGPU (navigator.gpu)" };
}

/** Starts training; the run ends by itself after the trainer's `totalSteps`, or after `maxSteps` when given. */
export function startDemo(canvases: DemoCanvases, onStatus: (s: DemoStatus) => void, maxSteps?: number): DemoRun {
  let stopped = false;
  const ctx = (el: HTMLCanvasElement) => el.getContext("2d")!;
  const done = (async () => {
    let { name: backend, note } = await chooseBackend();
    let trainer: SctTrainer = createSctTrainer(defaultDemoConfig);
    const last = () => Math.min(maxSteps ?? Infinity, trainer.totalSteps);
    // The losses of the current phase (the two objectives are on different scales).
    const losses: LossPoint[] = [];
    let sampleDraws = 0, pointsDrawn = 0, chunk = 5, lastDraw = -Infinity, rate = 0;
    const status = (running: boolean) =>
      onStatus({
        backend, step: trainer.step, totalSteps: last(), phase: trainer.phase, phaseLabel: phaseLabel[trainer.phase], running,
        lossStart: mean(losses.slice(0, 5)), lossRecent: mean(losses.slice(-20)), stepsPerSecond: rate, sampleDraws, pointsDrawn, note,
      });
    const drawSamples = async () => {
      const [data, one, two] = [await trainer.data(1000), await trainer.sample(1, 1000), await trainer.sample(2, 1000)];
      const model = trainer.phase === "sct" ? "sCT" : "diffusion";
      pointsDrawn = Math.min(
        drawScatter(ctx(canvases.data), data, "#555555", "data: ring of 8 Gaussians"),
        drawScatter(ctx(canvases.oneStep), one, "#1f77b4", `${model}, 1 step (step ${trainer.step})`),
        drawScatter(ctx(canvases.twoStep), two, "#d62728", `${model}, 2 steps (step ${trainer.step})`),
      );
      sampleDraws++;
      lastDraw = performance.now();
    };
    status(true);
    try {
      await drawSamples();
      while (!stopped && trainer.step < last()) {
        const t0 = performance.now();
        let got: LossPoint[];
        try {
          got = await trainer.advance(Math.min(chunk, last() - trainer.step));
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
        for (const p of got) {
          if (losses.length && losses[0]!.phase !== p.phase) losses.length = 0; // a new phase: a new curve
          losses.push(p);
        }
        const shown = losses[0]?.phase ?? trainer.phase;
        drawLossCurve(ctx(canvases.loss), losses, `${shown === "sct" ? "sCT" : "diffusion"} loss (${phaseLabel[shown]})`);
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
