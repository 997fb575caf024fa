// The registry's rules for the /v2 door, as one domain service: who the token's principal is, which
// repository a push writes to (created on first push, refused when its state forbids writes), which
// repositories a blob may be mounted from, and the pull audit entry. It throws domain errors only; the /v2
// adapter translates them into distribution error codes.
import type { Readable } from "node:stream";
import type { ByteRange, ReferrerDescriptor, SendableBody } from "@hm/oci";
import type { Actor, AuditService } from "../audit/writer.js";
import type { AuthzService } from "../access/authz.js";
import { ANONYMOUS, type Principal, type PrincipalRef } from "../access/principal.js";
import type { AccountService } from "../tenancy/accounts.js";
import type { BlobService } from "./blobs.js";
import { BlobUnknownError, ContentError, assertWritable } from "./errors.js";
import type { ManifestService } from "./manifests.js";
import type { PulledManifest, RegistryLookups } from "./registry-lookups.js";
import { forbidden } from "../common/errors.js";
import type { RepositoryService, RepositoryWithNamespace } from "./repositories.js";

/** The caller of a /v2 request: the token's principal reference, its subject name and address. */
export interface RegistryCaller {
  ref: PrincipalRef;
  name: string | null;
  ip: string | null;
}

/**
 * The proxy cache's pull path (proxy/), consulted for the namespaces it caches only: `caches` answers from
 * memory, so every other pull pays one Map lookup.
 */
export interface PullThrough {
  caches(namespace: string): boolean | Promise<boolean>;
  manifest(name: string, reference: string, caller: RegistryCaller): Promise<PulledManifest | null>;
  /** A blob not stored yet: fetched from upstream (or joined); null when the upstream does not have it. */
  blob(name: string, digest: string): Promise<{ digest: string; size: bigint } | null>;
  /** The blob as it streams in, when it is being fetched; null otherwise (read the store). */
  openBlob(
    name: string,
    digest: string,
    range: ByteRange | undefined,
  ): Promise<Readable | SendableBody> | null;
}

const actorOf = (c: RegistryCaller): Actor => ({
  name: c.name,
  id: c.ref.kind === "anonymous" ? null : c.ref.id,
});

export class RegistryService {
  constructor(
    private readonly lookups: RegistryLookups,
    private readonly accounts: AccountService,
    private readonly authz: AuthzService,
    private readonly repos: RepositoryService,
    private readonly blobs: BlobService,
    private readonly manifests: ManifestService,
    private readonly audit: AuditService,
  ) {}

  private pullThrough: PullThrough | null = null;

  /** Set by the proxy cache when FEATURE_PROXY_CACHE is on. */
  usePullThrough(p: PullThrough): void {
    this.pullThrough = p;
  }

  /** Whether the repository's namespace is a proxy cache (false at once without one). */
  private async proxied(name: string): Promise<boolean> {
    return this.pullThrough !== null && (await this.pullThrough.caches(name.slice(0, name.indexOf("/"))));
  }

  /** Proxy organizations take no pushes or deletes through /v2: their content is the upstream's. */
  private async refuseProxied(name: string, what: "push to" | "delete from"): Promise<void> {
    if (await this.proxied(name)) throw forbidden(`Cannot ${what} a proxy cache organization`);
  }

  /** The principal a token names, as it is now (a disabled user or deleted robot is anonymous). */
  async principal(ref: PrincipalRef): Promise<Principal> {
    if (ref.kind === "user") {
      const user = await this.lookups.user(ref.id);
      if (user?.enabled) return this.accounts.toPrincipal(user, ref.scopes);
    } else if (ref.kind === "robot") {
      const robot = await this.lookups.robot(ref.id);
      if (robot)
        return {
          kind: "robot",
          robotId: robot.id,
          name: robot.name,
          namespaceId: robot.namespaceId,
          namespace: robot.namespace,
        };
    }
    return ANONYMOUS;
  }

  async repository(name: string): Promise<RepositoryWithNamespace> {
    const r = await this.lookups.repository(name);
    if (!r) throw new ContentError("REPOSITORY_UNKNOWN", `repository ${name} not found`, { name });
    return r;
  }

  /** The repository a push writes to: created private on first push when the caller may create it. */
  async pushTarget(name: string, caller: RegistryCaller): Promise<RepositoryWithNamespace> {
    await this.refuseProxied(name, "push to");
    const existing = await this.lookups.repository(name);
    if (existing) {
      await this.repos.assertWritableBy(existing, caller.ref);
      return existing;
    }
    return this.repos.findOrCreateForPush(await this.principal(caller.ref), name, caller.ip);
  }

  /**
   * Mounts a blob into `name` from `from`, or (no `from`) from any repository holding it that the caller may
   * read. Null when no readable source holds it: the client then uploads.
   */
  async mount(name: string, digest: string, from: string | undefined, caller: RegistryCaller) {
    const principal = await this.principal(caller.ref);
    const candidates = from
      ? [await this.repos.find(from)].filter((r) => r !== null)
      : await this.repos.byIds(await this.blobs.holders(digest));
    const roles = await this.authz.repoRoles(principal, candidates);
    const sources = candidates.filter((r) => roles.get(r.id)).map((r) => r.id);
    if (!sources.length) return null;
    return this.blobs.mount(await this.pushTarget(name, caller), digest, sources);
  }

  async linkedBlob(name: string, digest: string) {
    const linked = await this.lookups.linkedBlob(name, digest);
    if (linked || !(await this.proxied(name))) return linked;
    return this.pullThrough!.blob(name, digest);
  }

  async openBlob(
    digest: string,
    range: ByteRange | undefined,
    name?: string,
  ): Promise<Readable | SendableBody> {
    const streaming = name && this.pullThrough?.openBlob(name, digest, range);
    if (streaming) return streaming;
    try {
      return await this.blobs.open(digest, range);
    } catch {
      throw new BlobUnknownError(digest);
    }
  }

  async deleteBlob(name: string, digest: string): Promise<void> {
    await this.refuseProxied(name, "delete from");
    const r = await this.repository(name);
    assertWritable(r);
    if (!(await this.blobs.unlink(r.id, digest))) throw new BlobUnknownError(digest);
  }

  /** A manifest by tag or digest; each pull leaves an audit entry, written in the background. */
  async pull(name: string, reference: string, caller: RegistryCaller) {
    const m = (await this.proxied(name))
      ? await this.pullThrough!.manifest(name, reference, caller)
      : await this.lookups.manifest(name, reference);
    if (!m) return null;
    const slash = name.indexOf("/");
    const repo = { name: name.slice(slash + 1), namespace: { name: name.slice(0, slash) } };
    this.recordPull(
      actorOf(caller),
      { ...repo, id: m.repositoryId, namespaceId: m.namespaceId },
      reference.includes(":") ? { manifest_digest: reference } : { tag: reference },
      caller.ip,
    );
    return m;
  }

  /** The pull audit entry of every door that serves image content (/v2, squashed downloads). */
  recordPull(
    who: Principal | Actor,
    repo: { id: bigint; namespaceId: bigint; name: string; namespace: { name: string } },
    what: { tag: string; verb?: string } | { manifest_digest: string },
    ip: string | null | undefined,
  ): void {
    this.audit.recordInBackground({
      kind: "pull_repo",
      principal: who,
      ip,
      namespaceId: repo.namespaceId,
      repositoryId: repo.id,
      metadata: { repo: repo.name, namespace: repo.namespace.name, ...what },
    });
  }

  async putManifest(
    name: string,
    reference: string,
    bytes: Buffer,
    contentType: string,
    caller: RegistryCaller,
  ) {
    const target = await this.pushTarget(name, caller);
    const { manifest } = await this.manifests.put(
      actorOf(caller),
      target,
      reference,
      bytes,
      contentType,
      caller.ip,
    );
    return manifest;
  }

  async deleteManifest(name: string, reference: string, caller: RegistryCaller): Promise<void> {
    await this.refuseProxied(name, "delete from");
    await this.manifests.delete(
      await this.principal(caller.ref),
      await this.repository(name),
      reference,
      caller.ip,
    );
  }

  async tagNames(name: string, n: number | undefined, last: string | undefined): Promise<string[]> {
    const names = await this.lookups.tagNames(name, n, last);
    if (!names) throw new ContentError("REPOSITORY_UNKNOWN", `repository ${name} not found`, { name });
    return names;
  }

  async referrers(
    name: string,
    digest: string,
    artifactType: string | undefined,
  ): Promise<ReferrerDescriptor[]> {
    return this.manifests.referrers((await this.repository(name)).id, digest, artifactType);
  }

  async catalog(n: number | undefined, last: string | undefined, caller: RegistryCaller): Promise<string[]> {
    return this.repos.listVisibleNames(await this.principal(caller.ref), n ?? 100, last);
  }
}
