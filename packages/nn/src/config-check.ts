// Config validation at init: every layer and model checks its configuration before it allocates a
// parameter, and a bad value fails with a message naming the layer, the field, the value and the rule
// it broke ("groupNorm.init: channels (30) must be divisible by groups (8)"), so a user can fix it
// without reading the layer's source.

/** A configuration value that breaks a rule; `field` names the config field at fault. */
export class ConfigError extends Error {
  /** The layer or model whose `init` rejected the config. */
  readonly where: string;
  /** The offending config field. */
  readonly field: string;
  constructor(where: string, field: string, rule: string) {
    super(`${where}: ${field} ${rule}`);
    this.name = "ConfigError";
    this.where = where;
    this.field = field;
  }
}

/** Requires a positive integer. */
export function checkPositiveInt(where: string, field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new ConfigError(where, field, `must be a positive integer, got ${value}`);
  return value;
}

/** Requires a non-negative integer. */
export function checkNonNegativeInt(where: string, field: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) throw new ConfigError(where, field, `must be a non-negative integer, got ${value}`);
  return value;
}

/** Requires an even positive integer. */
export function checkEven(where: string, field: string, value: number): number {
  checkPositiveInt(where, field, value);
  if (value % 2 !== 0) throw new ConfigError(where, field, `must be even, got ${value}`);
  return value;
}

/** Requires `value` to be divisible by `by` (named `byField` in the message). */
export function checkDivisible(where: string, field: string, value: number, byField: string, by: number): void {
  if (value % by !== 0) throw new ConfigError(where, field, `(${value}) must be divisible by ${byField} (${by})`);
}

/** Requires lo ≤ value < hi (or ≤ hi when `closed`). */
export function checkRange(where: string, field: string, value: number, lo: number, hi: number, closed = false): number {
  const ok = Number.isFinite(value) && value >= lo && (closed ? value <= hi : value < hi);
  if (!ok) throw new ConfigError(where, field, `must lie in [${lo}, ${hi}${closed ? "]" : ")"}, got ${value}`);
  return value;
}

/** Requires a finite positive number. */
export function checkPositive(where: string, field: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0)) throw new ConfigError(where, field, `must be a finite positive number, got ${value}`);
  return value;
}
