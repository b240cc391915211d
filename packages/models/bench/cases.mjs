// The networks the models bench times (forward-jvp.mjs), shared with the side-by-side PyTorch bench
// (bench/torch): each a model name, its config and the batch it runs at.
/** The benchmark cases: { key, name, model ("mlp" | "unet" | "dit"), config, batch }. */
export const benchCases = [
  { key: "mlp", name: "mlp (2-D, width 256, depth 4), batch 1024", model: "mlp", config: { dataDim: 2, width: 256, depth: 4 }, batch: 1024 },
  { key: "unet", name: "unet (16×16×3, 32 ch, [1,2,2]), batch 16", model: "unet", config: { imageSize: 16, inChannels: 3, modelChannels: 32, channelMult: [1, 2, 2], numBlocks: 1, attnResolutions: [8], groups: 8, embDim: 128, timeFeatures: 32 }, batch: 16 },
  { key: "dit", name: "dit (16×16×3, patch 2, hidden 128, depth 4), batch 16", model: "dit", config: { imageSize: 16, inChannels: 3, patchSize: 2, hidden: 128, depth: 4, heads: 4, timeFeatures: 32 }, batch: 16 },
];
