// The remote-registry client: see README.md.
export { RemoteRegistry, type CallOptions, type PingResult, type RemoteRegistryOptions } from "./client.js";
export { RemoteBlob } from "./blob.js";
export { RemoteError, isRemoteError, type RemoteErrorKind } from "./errors.js";
export { MANIFEST_ACCEPT, type ManifestHead, type ManifestResult } from "./manifest.js";
export { type Credentials } from "./auth.js";
export { bypassesProxy, type ProxySettings } from "./proxy.js";
export { parseChallenges, type Challenge } from "./challenge.js";
export {
  DOCKER_HUB_REGISTRY,
  isDockerHub,
  normalizeRegistry,
  parseUpstream,
  upstreamRepository,
  type Upstream,
} from "./upstream.js";
