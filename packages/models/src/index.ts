// @scm-ts/models: the networks sCM trains — a time-conditioned MLP for low-dimensional data, an
// ADM/DDPM++-style U-Net and a DiT, each with size presets, the sCM architecture changes (c_noise(t) =
// t with a positional embedding, adaptive double normalisation), a separate logvar head w_φ(t), and a
// parameter/FLOP report. This file is the package's whole public surface.

/** The network protocol shared by all architectures. */
export type { ApplyOptions, ModelParams, Network } from "./network.js";
/** The adaptive-weighting head w_φ(t). */
export { initLogvar, applyLogvar, type LogvarConfig, type LogvarParams } from "./logvar-head.js";
/** Time-conditioned residual MLP. */
export { mlp, mlpPresets, type MlpConfig, type MlpParams, type MlpBlockParams } from "./mlp.js";
/** ADM/DDPM++-style U-Net with the sCM changes. */
export { unet, unetPresets, type UnetConfig, type UnetParams, type UnetBlockParams } from "./unet.js";
/** Diffusion Transformer with double-normalised adaLN. */
export { dit, ditPresets, type DitConfig, type DitParams, type DitBlockParams } from "./dit.js";
/** The class and guidance-scale conditioning shared by the architectures. */
export { type ConditioningParams, guidanceInputScale } from "./conditioning.js";
/** Parameter and FLOP counts. */
export { modelReport, countFlops, countParams, formatReports, type ModelReport } from "./report.js";
