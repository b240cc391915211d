// Progress reports of the training loop: on a terminal a bar redrawn in place, elsewhere (a log, CI)
// whole lines — at least the last one — each with steps/s and the time left, after a line saying the
// first step compiles; and the logged unweighted error (the loss without adaptive weighting).
import { describe, expect, it } from "vitest";
import * as c from "@scm-ts/core";
import { mlp } from "@scm-ts/models";
import { adam } from "@scm-ts/nn";
import { initTrainState, makeObjective, makeTrainStep, train } from "../index.js";
import { formatDuration, progressText } from "./loop.js";

describe("progress", () => {
  it("formats steps/s and the time left", () => {
    expect(formatDuration(5.4)).toBe("5s");
    expect(formatDuration(185)).toBe("3m05s");
    expect(formatDuration(3720)).toBe("1h02m");
    expect(progressText(100, 1100, 0.25, 50)).toBe("step 100/1100  loss 0.2500  20.0 steps/s  ETA 50s");
    expect(progressText(1100, 1100, 0.25, 50)).toMatch(/done$/);
  });

  it("writes whole lines when the stream is not a terminal, and a redrawn bar when it is", async () => {
    const net = mlp({ dataDim: 2, width: 8, depth: 1, timeFeatures: 4 });
    const objective = makeObjective({ apply: net.apply }, { mode: "diffusion", sigmaData: 0.5, time: { pMean: -1, pStd: 1.4 } });
    const optimizer = adam({ learningRate: 1e-3 });
    const step = makeTrainStep(objective, { optimizer });
    const events: { loss: number; err: number }[] = [];
    const run = async (isTTY: boolean) => {
      let text = "";
      const state = initTrainState(net.init(c.random.key(0)), optimizer, c.random.key(1));
      await train({ state, steps: 6, step, batch: (i) => c.random.normal(c.random.key(i), [4, 2]), logEvery: 2, progress: { isTTY, write: (s) => ((text += s), true) }, onEvent: (e) => events.push(e) });
      return text;
    };
    const lines = await run(false);
    // First a line saying the step is being compiled (its time is left out of the first rate).
    expect(lines).toMatch(/^compiling the training step[^\n]*\n(step \d\/6  loss \S+  [\d.]+ steps\/s  (ETA \S+|done)\n)+$/);
    expect(lines).toMatch(/step 6\/6 .* done\n$/);
    const barText = await run(true);
    expect(barText.split("\r").length).toBe(4); // three redraws at steps 2, 4, 6
    expect(barText).toMatch(/\[#+\] step 6\/6 .*done \n$/);
    // Without a logvar head the logged unweighted error is the loss itself.
    expect(events.length).toBe(6);
    for (const e of events) expect(e.err).toBeCloseTo(e.loss, 6);
  });
});
