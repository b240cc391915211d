// The public surface of @scm-ts/samplers: consistency sampling in 1 step from t_max = arctan(80/σ_d), 2 steps
// with t_mid = 1.1, or k steps along a validated t-list (docs/guide/math.md, "Multistep consistency sampling");
// teacher PF-ODE sampling with Euler, DDIM, Heun or DPM-Solver-2 at a given NFE on @scm-ts/trigflow's solvers
// and schedules (docs/guide/math.md, "PF-ODE solvers and step schedules"); all taking the raw network
// F(x_t/σ_d, t) so any model plugs in, optionally with class labels, a distilled student's guidance scale, or
// classifier-free guidance of a teacher; and trigflow's analytic oracles as such networks. Every symbol below
// carries its own doc comment at its declaration.

/** The raw network contract and the prior. */
export { type TimeLayout, timeTensor, evaluateNetwork } from "./raw-network.js";
/** The network contract (F and its options) moved to @scm-ts/core; these names stay for existing imports. */
export { type RawNetwork, type NetworkOptions } from "./deprecated.js";
/** Class labels, the guidance input of distilled students, and classifier-free guidance of teachers. */
export { type ConditionOptions, oneHotLabels, classifierFreeGuidance } from "./conditioning.js";
export { type PriorOptions, samplePrior } from "./prior.js";

/** Consistency sampling. */
export { validateConsistencyTimes, oneStepTimes, twoStepTimes, rcmFourStepTimes, lowDimensionTMid } from "./consistency-times.js";
export { type ConsistencySampleOptions, consistencyFunction, sampleConsistency, sampleOneStep, sampleTwoStep } from "./consistency-sampler.js";

/** Teacher PF-ODE sampling. */
export { type ScheduleKind, type TeacherSampleOptions, stepsForNfe, teacherSchedule, sampleTeacher } from "./teacher-sampler.js";

/** Analytic oracles as raw networks (CPU backend; for tests and exact-teacher experiments). */
export { type OracleNetworkKind, oracleNetwork } from "./oracle-network.js";
