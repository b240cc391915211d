// Host tensors: a dtype, a shape and a typed array in host memory, the form in which tensors cross
// the file boundary. Engine tensors are read to host tensors (awaiting their data, so any backend
// works) before writing, and host tensors become engine tensors on the active backend after reading.
import { array, type DataArray, type DType, type Tensor } from "@scm-ts/core";

/** A tensor's values in host memory (row-major, the engine's storage class for its dtype). */
export interface HostTensor {
  /** The element type; `data` is the typed array that stores it (bool: a Uint8Array of 0/1). */
  readonly dtype: DType;
  /** The shape, outermost axis first. */
  readonly shape: readonly number[];
  /** The values, row-major; its length is the product of `shape`. */
  readonly data: DataArray;
}

/** Reads an engine tensor to host memory (a copy). */
export async function toHost(t: Tensor): Promise<HostTensor> {
  return { dtype: t.dtype, shape: [...t.shape], data: await t.data() };
}

/** Makes an engine tensor on the active backend from a host tensor. */
export function fromHost(h: HostTensor): Tensor {
  return array(h.data, h.shape, { dtype: h.dtype });
}

