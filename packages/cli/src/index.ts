// @scm-ts/cli: the commands behind `scm`, callable from code (examples and tests use them).
export { parseFlags, parseDecimal, withDefaults, helpText, UsageError, type Flags, type FlagSpec, type FlagSpecs } from "./args.js";
export { resolveData, builtinData, type DataSource, type DataOptions } from "./datasets.js";
export { conditioningFlags, defaultDiscreteSteps, initialParams, samplerConditions, type Conditioning, type SampleConditions } from "./conditioning.js";
export { buildNetwork, defaultModelConfig, defaultMlpWidth, maxDefaultMlpWidth, minDefaultMlpWidth, loadRun, saveRun, type LoadOptions, type RunConfig } from "./run.js";
export { checkRunConfig, countNonFinite, type NonFiniteCount } from "./run-check.js";
export { claimRunFolder, lockFileName, type ClaimOptions, type RunFolder } from "./run-folder.js";
export { Interrupted } from "./signals.js";
export { generate, writeSamples, type GenerateOptions, type GivenNoise } from "./generate.js";
export { computeMetric, formatFigures, modeFigures, metricNames, type MetricName, type MetricContext } from "./metrics-table.js";
export { writeSamplePanels, type SamplePanel, type SamplePanelOptions } from "./sample-panels.js";
export { ciQualityBudget, qualityRows, qualitySets, runQuality, writeMixture8, type QualityBudget, type QualityOptions, type QualityRow, type QualityRun, type QualityScore, type QualitySet } from "./quality.js";
export { runTrain, trainFlags, maxSkippedFraction, type TrainedRun, type TrainOverrides } from "./commands/train.js";
export { resolveStart, loadDiffusionRun, defaultSigmaData, type RunStart, type DiffusionRun } from "./start.js";
export { runSample, sampleFlags } from "./commands/sample.js";
export { runEval, evalFlags } from "./commands/eval.js";
export { runDemo, demoFlags } from "./commands/demo.js";
export { runBench, benchFlags } from "./commands/bench.js";
