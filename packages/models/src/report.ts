// Parameter and FLOP counts of a network, without allocating it: `init` and `apply` are traced to
// jaxprs on abstract values (random draws of a traced key allocate nothing), the parameter count is
// the size of init's outputs, and the FLOP count walks apply's equations: 2·M·K·N per matrix
// product, 2·N·O·OH·OW·(C/g)·KH·KW per convolution, one per output element of elementwise ops and
// per input element of reductions, none for movement ops. MACs (the multiply-adds of products and
// convolutions alone) are what DiT's and EDM2's "Gflops" columns count.
import * as c from "@scm-ts/core";
import type { ClosedJaxpr, Jaxpr, NetworkOptions, Tensor } from "@scm-ts/core";
import type { ModelParams, Network } from "./network.js";

/** Counts of one network. */
export interface ModelReport {
  /** Architecture name. */
  readonly name: string;
  /** Backbone parameters θ. */
  readonly params: number;
  /** Logvar-head parameters φ. */
  readonly logvarParams: number;
  /** Forward FLOPs of F_θ per sample. */
  readonly flops: number;
  /** Forward multiply-adds of products and convolutions per sample. */
  readonly macs: number;
}

const free = new Set(["reshape", "broadcast", "transpose", "slice", "pad", "concat", "convert", "stop_gradient"]);
const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** FLOPs and MACs of the equations of a jaxpr (call-like equations counted through their jaxpr). */
export function countFlops(jaxpr: Jaxpr): {
  /** Floating-point operations: 2 per multiply-add of products and convolutions, plus the elementwise ops and reductions. */
  flops: number;
  /** Multiply-adds of matrix products, convolutions and attention alone. */
  macs: number;
} {
  let flops = 0, macs = 0;
  for (const eqn of jaxpr.eqns) {
    const lower = eqn.op.lower;
    const out = eqn.outputs[0]!.aval;
    if (lower.kind === "inline") {
      const inner = countFlops((eqn.params as { jaxpr: ClosedJaxpr }).jaxpr.jaxpr);
      flops += inner.flops;
      macs += inner.macs;
    } else if (lower.kind === "routine") {
      const s = lower.spec(eqn.inputs.map((a) => a.aval), out, eqn.params as never);
      // attention: q·k_j and p·v_j per (row, key); its tangent adds t_q·k_j, q·t_k_j, t_x·v_j and p·t_v_j
      const m =
        s.name === "matmul" ? s.batch * s.m * s.k * s.n
        : "scale" in s ? s.batch * s.n * s.m * (s.name === "attention" ? s.d + s.dv : 3 * (s.d + s.dv))
        : "eps" in s ? 0
        : s.n * s.cout * s.oh * s.ow * (s.cin / s.groups) * s.kh * s.kw;
      macs += m;
      // standardisation: about 8 flops per element (mean, deviation, square, sum, scale), 14 for its tangent
      flops += "eps" in s ? (s.name === "standardize" ? 8 : 14) * s.rows * s.len : 2 * m;
    } else if (lower.kind === "reduce") {
      flops += sizeOf(eqn.inputs[0]!.aval.shape);
    } else if (!free.has(eqn.op.name)) {
      flops += sizeOf(out.shape);
    }
  }
  return { flops, macs };
}

/** Number of elements over all tensor leaves of a tree. */
export function countParams(tree: unknown): number {
  return c.treeLeaves<Tensor>(tree).reduce((n, t) => n + t.size, 0);
}

/** Parameter and FLOP counts of `net` (per sample; traced at batch 1, nothing allocated). */
export function modelReport<C, P>(net: Network<C, P>, options: { numClasses?: number } = {}): ModelReport {
  const key = c.random.key(0);
  const initJaxpr = c.makeJaxpr((k: Tensor) => net.init(k))(key);
  const sizes = (j: ClosedJaxpr) => j.jaxpr.outvars.map((v) => sizeOf(v.aval.shape));
  const all = sizes(initJaxpr);
  const logvarJaxpr = c.makeJaxpr((k: Tensor) => net.init(k).logvar)(key);
  const logvarParams = sizes(logvarJaxpr).reduce((a, b) => a + b, 0);
  const total = all.reduce((a, b) => a + b, 0);
  const forward = (k: Tensor) => {
    const [kp, ku] = c.random.split(k);
    const p: ModelParams<P> = net.init(kp!);
    const u = c.random.normal(ku!, [1, ...net.sampleShape]);
    const guided = (net.config as { guidanceEmbedding?: boolean }).guidanceEmbedding === true; // a guidance-conditioned network needs w
    const opts: NetworkOptions = { ...(options.numClasses ? { classLabels: c.random.uniform(ku!, [1, options.numClasses]) } : {}), ...(guided ? { guidance: c.ones([1]) } : {}) };
    return net.apply(p, u, c.random.uniform(ku!, [1]), opts);
  };
  const initOnly = (k: Tensor) => {
    const [kp, ku] = c.random.split(k);
    return [net.init(kp!), c.random.normal(ku!, [1, ...net.sampleShape]), c.random.uniform(ku!, [1]), ...(options.numClasses ? [c.random.uniform(ku!, [1, options.numClasses])] : [])];
  };
  const withApply = countFlops(c.makeJaxpr(forward)(key).jaxpr);
  const without = countFlops(c.makeJaxpr(initOnly)(key).jaxpr);
  return { name: net.name, params: total - logvarParams, logvarParams, flops: withApply.flops - without.flops, macs: withApply.macs - without.macs };
}

/** A markdown table of reports, one row per named preset. */
export function formatReports(rows: readonly (ModelReport & { preset: string })[]): string {
  const m = (n: number) => (n / 1e6).toFixed(2);
  const g = (n: number) => (n / 1e9).toFixed(3);
  const lines = ["| model | preset | params (M) | logvar params | GFLOPs / sample | GMACs / sample |", "| --- | --- | ---: | ---: | ---: | ---: |"];
  for (const r of rows) lines.push(`| ${r.name} | ${r.preset} | ${m(r.params)} | ${r.logvarParams} | ${g(r.flops)} | ${g(r.macs)} |`);
  return lines.join("\n");
}
