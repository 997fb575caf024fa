// Builds the mirroring capability from its dependencies: the doors' service and the workers' syncer.
import type { Config } from "../config/config.js";
import type { Db } from "../infra/database.js";
import type { Logger } from "../infra/logger.js";
import type { Encryptor } from "../access/secrets.js";
import type { RepositoryService } from "../content/repositories.js";
import type { UnitOfWork } from "../events/unit-of-work.js";
import type { TagCommandService } from "../tags/commands.js";
import { MirrorClaims } from "./claims.js";
import type { CopyDeps } from "./copy.js";
import { MirrorService } from "./service.js";
import { MirrorSyncer } from "./sync.js";

export function createMirroring(
  d: CopyDeps & {
    db: Db;
    repos: RepositoryService;
    uow: UnitOfWork;
    encryptor: Encryptor;
    tagCommands: TagCommandService;
    config: Config;
    log: Logger;
  },
) {
  const enabled = d.config.FEATURE_REPO_MIRROR;
  const mirrors = new MirrorService(
    d.db,
    d.repos,
    d.uow,
    d.encryptor,
    enabled,
    d.config.REPO_MIRROR_TLS_VERIFY,
  );
  const mirrorSync = new MirrorSyncer(
    d.db,
    new MirrorClaims(d.db, d.uow),
    d.encryptor,
    { manifests: d.manifests, blobs: d.blobs, registry: d.registry },
    d.tagCommands,
    d.log,
    enabled,
  );
  return { mirrors, mirrorSync };
}
