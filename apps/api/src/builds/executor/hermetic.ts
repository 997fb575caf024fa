// Everything buildah and git read, kept inside the build's work directory: storage (vfs), registries,
// credentials, signature policy, HOME and TMPDIR. Children get a fresh environment built from these, not
// the worker's own, so server secrets (DATABASE_URL...) never reach a RUN step.
import fs from "node:fs/promises";
import path from "node:path";
import type { BuildJob, RegistryCreds } from "./job.js";

export interface Layout {
  workdir: string;
  source: string;
  storage: string;
  runroot: string;
  home: string;
  tmp: string;
  config: string;
  auth: string;
  download: string;
  knownHosts: string;
  sshKey: string;
}

export function layoutOf(workdir: string): Layout {
  const at = (...p: string[]) => path.join(workdir, ...p);
  return {
    workdir,
    source: at("source"),
    storage: at("storage"),
    runroot: at("run"),
    home: at("home"),
    tmp: at("tmp"),
    config: at("config"),
    auth: at("auth", "auth.json"),
    download: at("download"),
    knownHosts: at("known_hosts"),
    sshKey: at("auth", "id_deploy"),
  };
}

export async function makeDirs(l: Layout): Promise<void> {
  for (const d of [l.source, l.storage, l.runroot, l.home, l.tmp, l.config, path.dirname(l.auth)])
    await fs.mkdir(d, { recursive: true, mode: 0o700 });
}

// Proxy settings are the only thing taken from the worker's environment besides PATH.
const PASSED = ["HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy"];

/** The environment for every child: nothing of the worker's but PATH and proxies. */
export function baseEnv(l: Layout): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH || "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    HOME: l.home,
    TMPDIR: l.tmp,
    XDG_RUNTIME_DIR: l.runroot,
    XDG_CONFIG_HOME: path.join(l.home, ".config"),
    XDG_DATA_HOME: path.join(l.home, ".local", "share"),
    LC_ALL: "C.UTF-8",
  };
  for (const k of PASSED) if (process.env[k]) env[k] = process.env[k]!;
  return env;
}

/** A TOML basic string (JSON's escapes are a subset TOML accepts). */
const toml = (s: string) => JSON.stringify(s);

const hostOf = (registry: string) => registry.split("/")[0]!;

/** The repository of a full reference: "host/ns/repo:tag" → "host/ns/repo". */
export function repositoryOf(ref: string): string {
  const noDigest = ref.split("@")[0]!;
  const slash = noDigest.lastIndexOf("/");
  const colon = noDigest.lastIndexOf(":");
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

const basic = (c: RegistryCreds) => Buffer.from(`${c.username}:${c.password}`).toString("base64");

/** What an auth file says for a job, and the strings in it that must not reach the log. */
export function authFile(job: Pick<BuildJob, "push" | "pull" | "tags">): { json: string; secrets: string[] } {
  const auths: Record<string, { auth: string }> = {};
  const secrets: string[] = [];
  if (job.pull) {
    auths[job.pull.registry] = { auth: basic(job.pull) };
    secrets.push(job.pull.password, basic(job.pull));
  }
  // Push credentials under each pushed repository: the most specific key wins, so a pull robot for the
  // same registry still serves base images while the pushes use the build's own credentials.
  for (const t of job.tags) auths[repositoryOf(t)] = { auth: basic(job.push) };
  if (!auths[job.push.registry]) auths[job.push.registry] = { auth: basic(job.push) };
  secrets.push(job.push.password, basic(job.push));
  return { json: `${JSON.stringify({ auths }, null, 2)}\n`, secrets };
}

export interface Hermetic {
  env: Record<string, string>;
  policy: string;
  secrets: string[];
}

export async function writeConfig(l: Layout, job: BuildJob): Promise<Hermetic> {
  const file = (name: string) => path.join(l.config, name);
  await fs.writeFile(
    file("storage.conf"),
    `[storage]\ndriver = "vfs"\ngraphroot = ${toml(l.storage)}\nrunroot = ${toml(l.runroot)}\n`,
  );
  // Insecure (plain HTTP or unverified TLS) only for the registries the job says so for.
  const insecure = new Map<string, boolean>();
  for (const r of [job.push, job.pull]) {
    if (!r) continue;
    const h = hostOf(r.registry);
    insecure.set(h, (insecure.get(h) ?? false) || !r.tlsVerify);
  }
  const registries = [
    'unqualified-search-registries = ["docker.io"]',
    'short-name-mode = "permissive"',
    ...[...insecure].map(([h, bad]) => `\n[[registry]]\nlocation = ${toml(h)}\ninsecure = ${bad}`),
  ];
  await fs.writeFile(file("registries.conf"), `${registries.join("\n")}\n`);
  // Image copies stage in /var/tmp unless told otherwise: keep them in the build's own TMPDIR.
  await fs.writeFile(file("containers.conf"), `[engine]\nimage_copy_tmp_dir = ${toml(l.tmp)}\n`);
  const policy = file("policy.json");
  await fs.writeFile(policy, `${JSON.stringify({ default: [{ type: "insecureAcceptAnything" }] })}\n`);
  const auth = authFile(job);
  await fs.writeFile(l.auth, auth.json, { mode: 0o600 });
  const env = {
    ...baseEnv(l),
    CONTAINERS_STORAGE_CONF: file("storage.conf"),
    CONTAINERS_REGISTRIES_CONF: file("registries.conf"),
    CONTAINERS_CONF: file("containers.conf"),
    REGISTRY_AUTH_FILE: l.auth,
    BUILDAH_ISOLATION: "chroot",
    BUILDAH_LAYERS: "false",
    BUILDAH_FORMAT: "oci",
  };
  return { env, policy, secrets: auth.secrets };
}
