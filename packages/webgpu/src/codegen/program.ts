// The codegen entry point: any program the engine lowers (a map or reduce kernel over the IR, or a
// routine spec) → a ShaderSpec for the given adapter limits. Pure: it needs no device, so the whole
// WGSL path is testable on any machine (see compile-only.ts).
import { programKey, type Program } from "@scm-ts/core";
import { kernelShader } from "./kernel.js";
import { attentionShader } from "./routines/attention.js";
import { attentionBwdShader } from "./routines/attention-bwd.js";
import { convShader } from "./routines/conv2d.js";
import { matmulShader } from "./routines/matmul.js";
import { standardizeShader } from "./routines/standardize.js";
import type { DeviceLimits, ShaderSpec } from "./shader.js";

/** WGSL, bindings, workgroup size, dispatch grid and cache key of a program. */
export function programShader(p: Program, limits: DeviceLimits): ShaderSpec {
  if (p.kind !== "routine") return kernelShader(p, limits);
  const key = programKey(p);
  const spec = p.spec;
  switch (spec.name) {
    case "matmul":
      return matmulShader(spec, limits, key);
    case "conv2d":
    case "conv2dInputGrad":
    case "conv2dWeightGrad":
      return convShader(spec, limits, key);
    case "attention":
    case "attentionTangent":
    case "attentionJvp":
      return attentionShader(spec, limits, key);
    case "attentionBwdQ":
    case "attentionBwdKV":
      return attentionBwdShader(spec, limits, key);
    case "standardize":
    case "standardizeTangent":
    case "standardizeJvp":
      return standardizeShader(spec, limits, key);
  }
}
