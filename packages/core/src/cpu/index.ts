// Registers the CPU backend as 'cpu' and as the default.
import { registerBackend, registerDefaultBackend } from "../backend.js";
import { createCpuBackend } from "./backend.js";

registerBackend("cpu", async () => createCpuBackend());
registerDefaultBackend(createCpuBackend);

export { createCpuBackend };
