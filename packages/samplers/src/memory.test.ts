// Memory over sampling steps: each solver or consistency step runs in its own tidy scope, so the live-buffer
// count seen by the network stays flat however many steps are taken, and after sampling only the result (plus
// nothing that grows with the step count) is left.
import type { RawNetwork } from "@scm-ts/core";
import { getBackend, mul, random, tanh, tidy, type Tensor } from "@scm-ts/core";
import { describe, expect, test } from "vitest";
import { sampleConsistency } from "./consistency-sampler.js";
import { sampleTeacher } from "./teacher-sampler.js";

function recordingNetwork(record: number[]): RawNetwork {
  return (u: Tensor, t: Tensor) => {
    record.push(getBackend().liveBuffers());
    return mul(tanh(u), mul(t.reshape([t.shape[0]!, 1]), 0.1)); // a few temporaries per call
  };
}

describe("memory", () => {
  test("teacher sampling holds a flat live-buffer line over 127 evaluations", () => {
    const backend = getBackend();
    const key = random.key(0);
    const before = backend.liveBuffers();
    const seen: number[] = [];
    const x = sampleTeacher(recordingNetwork(seen), { key, shape: [16, 2], nfe: 127 });
    // The count cycles within a step (two evaluations per step) but does not grow from step to step.
    const [early, late] = [seen.slice(1, 61), seen.slice(61)];
    expect([Math.min(...late), Math.max(...late)]).toEqual([Math.min(...early), Math.max(...early)]);
    expect(Math.max(...seen)).toBeLessThan(before + 60);
    x.dispose();
    expect(backend.liveBuffers()).toBeLessThanOrEqual(before + 2);
  });

  test("k-step consistency sampling holds a flat line and a surrounding tidy releases everything", () => {
    const backend = getBackend();
    const key = random.key(1);
    const before = backend.liveBuffers();
    const seen: number[] = [];
    const times = Array.from({ length: 40 }, (_, i) => 1.5 - i * 0.035);
    tidy(() => {
      sampleConsistency(recordingNetwork(seen), times, { key, shape: [16, 2] });
    });
    expect(Math.max(...seen.slice(1))).toBe(Math.min(...seen.slice(1)));
    expect(backend.liveBuffers()).toBe(before);
  });
});
