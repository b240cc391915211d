// The CPU attention routine refuses the reverse-mode routine names: the CPU backend does not list
// them in optionalRoutines, so attention's transpose stays composed there; if a spec carrying one
// ever reached the CPU, running the forward pass under its name would be silently wrong.
import { describe, expect, it } from "vitest";
import type { AttentionSpec } from "../ir/kernel.js";
import { runRoutine } from "./routines.js";

describe("CPU attention routine", () => {
  const base = { dtype: "float32", batch: 1, n: 2, m: 3, d: 2, dv: 2, scale: 0.5 } as const;
  const q = new Float32Array(4), k = new Float32Array(6), v = Float32Array.of(1, 2, 3, 4, 5, 6), g = new Float32Array(4);

  it("runs the forward pass", () => {
    const out = new Float32Array(4);
    runRoutine({ ...base, name: "attention" }, out, [q, k, v]);
    // all-zero logits: a uniform softmax, so each output row is the mean of v's rows
    expect([...out]).toEqual([3, 4, 3, 4]);
  });

  it.each(["attentionBwdQ", "attentionBwdKV"] as const)("refuses %s with a message naming it", (name) => {
    const spec: AttentionSpec = { ...base, name };
    expect(() => runRoutine(spec, new Float32Array(8), [q, k, v, g])).toThrow(new RegExp(`no '${name}' routine`));
  });
});
