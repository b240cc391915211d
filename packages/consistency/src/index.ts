// @scm-ts/consistency: the training objectives of sCM — the TrigFlow diffusion loss for teachers,
// the sCM loss for sCT and sCD with the JVP tangent, normalisation, warm-up and adaptive weighting,
// and the discrete-time CM loss — each a pure function of a network callable; the objective with class
// labels, label dropout, dropout keys and guidance distillation; the jitted step and the loop.
export { timeColumn, meanPerSample } from "./time.js";
/** The network contract (F, its options, a trainable model) moved to @scm-ts/core; these names stay for existing imports. */
export { type RawNetwork, type NetworkOptions, type Model } from "./deprecated.js";
export { type TangentNormalization, paperNormalization, normalizeTangent, perSampleNorm, scmTangent, type ScmTangent, type ScmTangentInputs } from "./tangent.js";
export { type LogvarHead, adaptiveWeighted } from "./weighting.js";
export { scmLoss, type ScmLoss, type ScmLossInputs } from "./scm-loss.js";
export { diffusionLoss, type DiffusionLossInputs, type LossBatchInputs } from "./diffusion-loss.js";
export { discreteCmLoss, type DiscreteCmLossInputs } from "./discrete-loss.js";
export { type Mode, type Objective, type ObjectiveConfig, type ObjectiveOutput, makeObjective } from "./train/objective.js";
export {
  type ClassConditioning, type GuidanceConditioning, type ObjectiveKeys, objectiveKeys, classLabelRows, sampleGuidanceScales, guidedTeacher,
} from "./train/conditioning.js";
export { sampleLogNormalTime, discretePairSampler } from "./train/time-sampling.js";
export { type TrainState, type StepMetrics, type StepConfig, type TrainStep, initTrainState, makeTrainStep } from "./train/step.js";
export { type TrainEvent, type TrainOptions, type TrainResult, type LabelledBatch, NonFiniteRunError, train } from "./train/loop.js";
export { mixtureTeacher } from "./train/mixture-teacher.js";
