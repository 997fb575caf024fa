// Upstream references as users write them (`quay.io/ns`, `docker.io/library`, `127.0.0.1:5000`) turned into
// the registry to talk to and the repository prefix to put before every name; name and reference checks.
import { parseDigest } from "@hm/oci";

/** Where Docker clients really talk to for Docker Hub. */
export const DOCKER_HUB_REGISTRY = "registry-1.docker.io";
const DOCKER_HUB_ALIASES = new Set([
  "docker.io",
  "index.docker.io",
  "registry.hub.docker.com",
  DOCKER_HUB_REGISTRY,
]);

export interface Upstream {
  /** `host[:port]`, lower-case, Docker Hub aliases resolved to registry-1.docker.io. */
  registry: string;
  /** The repository prefix (`library`, `org/team`), or "" for none. */
  namespace: string;
}

const HOST =
  /^(?:\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*)(?::[0-9]{1,5})?$/;
const COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;

export function isDockerHub(registry: string): boolean {
  return DOCKER_HUB_ALIASES.has(registry.toLowerCase());
}

/** Validates `host[:port]` and resolves Docker Hub's aliases. Throws TypeError on anything else. */
export function normalizeRegistry(registry: string): string {
  const host = registry
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, "")
    .replace(/\/+$/, "");
  if (!HOST.test(host)) throw new TypeError(`not a registry host: ${JSON.stringify(registry)}`);
  const port = /:(\d+)$/.exec(host.replace(/^\[[^\]]*\]/, ""));
  if (port && Number(port[1]) > 65535) throw new TypeError(`bad port in ${JSON.stringify(registry)}`);
  return isDockerHub(host) ? DOCKER_HUB_REGISTRY : host;
}

/** True for a valid repository name (or prefix) per the distribution grammar. */
export function isRepositoryName(name: string): boolean {
  return name.length > 0 && name.length <= 255 && name.split("/").every((c) => COMPONENT.test(c));
}

/**
 * `host[/namespace…]` → `{ registry, namespace }`. A scheme (`https://`) and trailing slashes are tolerated;
 * the first component is always the registry, as in Quay's `upstream_registry`.
 */
export function parseUpstream(reference: string): Upstream {
  const cleaned = reference
    .trim()
    .replace(/^https?:\/\//i, "")
    .replace(/\/+$/, "");
  const slash = cleaned.indexOf("/");
  const host = slash < 0 ? cleaned : cleaned.slice(0, slash);
  const namespace = slash < 0 ? "" : cleaned.slice(slash + 1);
  if (namespace && !isRepositoryName(namespace))
    throw new TypeError(`not a repository namespace: ${JSON.stringify(namespace)}`);
  return { registry: normalizeRegistry(host), namespace };
}

/**
 * The repository to ask the upstream for: `namespace/name`, and `library/name` for single-component names on
 * Docker Hub (its official images), as Docker clients do.
 */
export function upstreamRepository(upstream: Upstream, name: string): string {
  const full = upstream.namespace ? `${upstream.namespace}/${name}` : name;
  if (!isRepositoryName(full)) throw new TypeError(`not a repository name: ${JSON.stringify(full)}`);
  return isDockerHub(upstream.registry) && !full.includes("/") ? `library/${full}` : full;
}

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export function checkName(name: string): void {
  if (!isRepositoryName(name)) throw new TypeError(`not a repository name: ${JSON.stringify(name)}`);
}

export function checkReference(ref: string): void {
  if (!TAG.test(ref) && !parseDigest(ref)) throw new TypeError(`not a tag or digest: ${JSON.stringify(ref)}`);
}
