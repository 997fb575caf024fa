export * from "./digest.js";
export * from "./errors.js";
export * from "./interfaces.js";
export * from "./manifest.js";
export * from "./media-types.js";
export * from "./names.js";
export { createRegistryRouter, type RegistryRouterOptions } from "./router.js";
export { parseContentRange, parseRange } from "./http.js";
