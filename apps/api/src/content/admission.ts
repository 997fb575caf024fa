// Admission hooks on the push path. Quota (and later policies) plug in here; the registry calls them
// at upload start, at each chunk and at manifest PUT. A hook throws a DomainError to refuse.
export type AdmissionStage = "upload_start" | "chunk" | "manifest";

export interface AdmissionRequest {
  stage: AdmissionStage;
  repositoryId: bigint;
  namespaceId: bigint;
  /** Bytes this step adds (chunk size, or the manifest's new blobs), when known. */
  bytes?: number;
}

export type AdmissionHook = (r: AdmissionRequest) => Promise<void>;
/** Told of a step refused (by a hook, or by the push's own check in the database). */
export type RefusalHook = (r: AdmissionRequest, error: unknown) => Promise<void>;

export class Admission {
  private readonly hooks: AdmissionHook[] = [];
  private readonly refusals: RefusalHook[] = [];
  use(hook: AdmissionHook, onRefused?: RefusalHook): void {
    this.hooks.push(hook);
    if (onRefused) this.refusals.push(onRefused);
  }
  async check(r: AdmissionRequest): Promise<void> {
    try {
      for (const h of this.hooks) await h(r);
    } catch (e) {
      await this.refused(r, e);
      throw e;
    }
  }
  /** Runs the refusal hooks; their own failures never replace the refusal being answered. */
  async refused(r: AdmissionRequest, error: unknown): Promise<void> {
    for (const h of this.refusals) await h(r, error).catch(() => undefined);
  }
}
