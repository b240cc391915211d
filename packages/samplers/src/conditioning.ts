// Conditional sampling: the samplers take int class ids [B] (−1, or any id outside [0, K), is the null
// label) and pass the network one-hot rows [B, K] (a zero row for the null label), as the models take
// them; a guidance-conditioned consistency student also gets its scale w [B]; a class-conditional
// diffusion teacher is guided by classifier-free guidance F_w = F_u + w·(F_c − F_u) (the paper's
// convention: w = 1 is the plain conditional teacher). Sampling never passes a
// dropout key: networks run deterministically.
import type { NetworkOptions, RawNetwork } from "@scm-ts/core";
import { add, arange, astype, concat, equal, full, mul, reshape, slice, sub, zerosLike, type Tensor } from "@scm-ts/core";

/** Conditioning options of the samplers. */
export interface ConditionOptions {
  /** Int class ids [B] (−1 = null label, unconditional); needs `numClasses`. */
  readonly labels?: Tensor;
  /** K, the classes of a class-conditional network. */
  readonly numClasses?: number;
  /**
   * Guidance scale w (F_u + w·(F_c − F_u); 1 = none): for a consistency student distilled with
   * guidance it is its `guidance` input; for the teacher sampler it applies CFG (needs `labels`).
   */
  readonly guidance?: number;
}

/** One-hot rows [B, K] of int ids [B] in `dtype`; ids outside [0, K) give zero rows (the null label). */
export function oneHotLabels(labels: Tensor, numClasses: number, dtype: "float32" | "float64" = "float32"): Tensor {
  if (labels.ndim !== 1) throw new RangeError(`oneHotLabels: labels must be int class ids [B], got shape [${labels.shape.join(", ")}]`);
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new RangeError(`oneHotLabels: numClasses must be a positive integer, got ${numClasses}`);
  return astype(equal(reshape(astype(labels, "int32"), [-1, 1]), arange(numClasses, undefined, 1, { dtype: "int32" })), dtype); // [B, K]
}

/**
 * The network options of a sampler call for a batch of `shape`: one-hot rows of `labels` and, when
 * `withGuidance`, w as a [B] vector; undefined when there is nothing to condition on.
 */
export function networkOptions(context: string, options: ConditionOptions & { readonly shape: readonly number[]; readonly dtype?: "float32" | "float64" }, withGuidance: boolean): NetworkOptions | undefined {
  const B = options.shape[0]!, dtype = options.dtype ?? "float32";
  let classLabels: Tensor | undefined;
  if (options.labels !== undefined) {
    if (options.numClasses === undefined) throw new RangeError(`${context}: labels need numClasses (the classes K of the network)`);
    if (options.labels.ndim !== 1 || options.labels.shape[0] !== B) throw new RangeError(`${context}: labels must be int class ids [${B}] for samples [${options.shape.join(", ")}], got [${options.labels.shape.join(", ")}]`);
    classLabels = oneHotLabels(options.labels, options.numClasses, dtype);
  }
  if (options.guidance !== undefined && !Number.isFinite(options.guidance)) throw new RangeError(`${context}: guidance must be a finite number, got ${options.guidance}`);
  const guidance = withGuidance && options.guidance !== undefined ? full([B], options.guidance, { dtype }) : undefined;
  if (!classLabels && !guidance) return undefined;
  return { ...(classLabels ? { classLabels } : {}), ...(guidance ? { guidance } : {}) };
}

// F_w = F_u + w·(F_c − F_u), with F_c and F_u from one call on the doubled batch [u; u], [c; null].
/** The classifier-free-guided network at scale w: called with one-hot `classLabels`, it evaluates F once on the batch stacked with itself, the second half unconditional. */
export function classifierFreeGuidance(F: RawNetwork, w: number): RawNetwork {
  return (u, t, options) => {
    const labels = options?.classLabels;
    if (!labels) throw new RangeError("classifierFreeGuidance: guidance needs class labels (the conditional and the null label are combined)");
    const B = u.shape[0]!, rest = u.shape.slice(1);
    const both = F(concat([u, u], 0), concat([t, t], 0), { ...options, classLabels: concat([labels, zerosLike(labels)], 0) });
    const Fc = slice(both, [0, ...rest.map(() => 0)], [B, ...rest]);
    const Fu = slice(both, [B, ...rest.map(() => 0)], [2 * B, ...rest]);
    return add(Fu, mul(sub(Fc, Fu), w));
  };
}
