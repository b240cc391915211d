// The public surface of @scm-ts/trigflow: TrigFlow math written once over the `Floating` interface,
// converters from EDM / flow-matching / v-prediction teachers, training-time samplers, PF-ODE solvers with
// validated schedules, and exact Gaussian / Gaussian-mixture oracles (docs/guide/trigflow-scm.md and docs/guide/math.md).
// Every symbol below carries its own doc comment at its declaration.

/** The numeric interface (`Floating`) and its instances on numbers, Float64Array vectors and engine tensors. */
export { type Floating, floatingNumber, scale, sigmoid } from "./floating.js";
export { floatingVector } from "./floating-vector.js";
export { floatingTensor, floatingTensorOf } from "./floating-tensor.js";

/** The TrigFlow process and the consistency parameterisation (trigflow-scm.md, "TrigFlow: the process"). */
export {
  paperSigmaData,
  paperSigmaMax,
  paperTMid,
  tMax,
  xt,
  dxtdt,
  snr,
  cNoise,
  cIn,
  cSkip,
  cOut,
  f,
  x0FromF,
  zFromF,
  FFromX0Z,
  FFromX0,
  FFromZ,
  velocityFromF,
  FFromVelocity,
  scoreFromX0,
} from "./trigflow.js";

/** Converters from EDM, flow-matching and v-prediction teachers (math.md, "Teachers in other parameterisations"). */
export {
  timeFromEdmSigma,
  edmSigmaFromTime,
  xtFromEdm,
  edmStateFromXt,
  FFromEdm,
  edmFFromF,
  edmCNoiseFromTime,
  timeFromFlow,
  flowTimeFromTime,
  flowScale,
  xtFromFlow,
  flowStateFromXt,
  FFromFlow,
  flowVelocityFromF,
  type VPredictionTime,
  timeFromVPrediction,
  vPredictionTimeFromTime,
  vPredictionScale,
  xtFromVPrediction,
  vPredictionStateFromXt,
  FFromVPrediction,
  vPredictionFromF,
} from "./converters.js";

/** Seeded random numbers and the standard normal distribution. */
export { type RandomSource, counterRandom, philox2x32 } from "./counter-random.js";
export { erf, erfc, normalCdf, normalPdf, normalQuantile } from "./normal-distribution.js";

/** Training-time distributions (trigflow-scm.md, "Training times"; math.md, "Discrete-time consistency models"). */
export {
  type TimeDistribution,
  type LogNormalParameters,
  type LogNormalPreset,
  logNormalPresets,
  logNormalTime,
  logitNormalTime,
  logNormalTimeDistribution,
  logitNormalTimeDistribution,
  uniformTimeDistribution,
} from "./time-samplers.js";
export {
  type EdmGridOptions,
  type DiscreteTimePair,
  type DiscreteTimeDistribution,
  edmTimeGrid,
  discreteTimeDistribution,
} from "./discrete-grid.js";

/** PF-ODE schedules and solvers (math.md, "PF-ODE solvers and step schedules"). */
export {
  ScheduleError,
  type ScheduleRequirements,
  type EdmScheduleOptions,
  validateSchedule,
  edmSchedule,
  uniformSchedule,
} from "./step-schedule.js";
export {
  type Velocity,
  type PfOdeMethod,
  type SolvePfOdeOptions,
  eulerStep,
  ddimStep,
  heunStep,
  dpmSolver2Step,
  dpmSolver2MStep,
  pfOdeStep,
  pfOdeMethods,
  startsBelowHalfPi,
  type MultistepMemory,
  type PfOdeStepResult,
  solvePfOde,
  pfOdeEvaluations,
} from "./pf-ode-solvers.js";
export {
  type OdeRightHandSide,
  type AdaptiveOdeOptions,
  type AdaptiveOdeResult,
  integrateDopri5,
} from "./adaptive-ode.js";

/** Analytic oracles (math.md, "Exact oracles"). */
export { type AnalyticOracle } from "./analytic-oracle.js";
export { type GaussianMixtureSpec, gaussianMixtureOracle } from "./gaussian-mixture-oracle.js";
/** The component types moved to @scm-ts/core; these names stay for existing imports. */
export { type Covariance, type GaussianSpec, type MixtureComponent } from "./deprecated.js";
export { type GaussianOracleSpec, gaussianOracle } from "./gaussian-oracle.js";

/** Small dense linear algebra in float64. */
export {
  type Matrix,
  type SymmetricEigen,
  matrix,
  identity,
  diagonal,
  transpose,
  matMul,
  matVec,
  asymmetry,
  cholesky,
  solveLower,
  solveLowerTransposed,
  choleskySolve,
  symmetricEigen,
  symmetricMatrixFunction,
} from "./linalg.js";
