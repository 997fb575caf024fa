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

export class Admission {
  private readonly hooks: AdmissionHook[] = [];
  use(hook: AdmissionHook): void {
    this.hooks.push(hook);
  }
  async check(r: AdmissionRequest): Promise<void> {
    for (const h of this.hooks) await h(r);
  }
}
