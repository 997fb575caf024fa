// The whole REST surface in one table: every area's routes, in the order the document lists its sections.
// A later capability (quota, notifications, scanning, builds, proxy cache, mirroring) adds its file here.
import type { Route } from "../route.js";
import { applicationRoutes } from "./applications.js";
import { buildAndTriggerRoutes } from "./builds.js";
import { discoveryRoutes } from "./discovery.js";
import { logRoutes } from "./logs.js";
import { manifestRoutes } from "./manifests.js";
import { mirrorRoutes } from "./mirror.js";
import { notificationRoutes } from "./notifications.js";
import { organizationRoutes } from "./organizations.js";
import { permissionRoutes } from "./permissions.js";
import { proxyCacheRoutes } from "./proxy.js";
import { quotaRoutes } from "./quota.js";
import { repositoryRoutes } from "./repositories.js";
import { robotRoutesAll } from "./robots.js";
import { searchRoutes } from "./search.js";
import { securityRoutes } from "./security.js";
import { superuserRoutes } from "./superuser.js";
import { tagRoutes } from "./tags.js";
import { teamRoutes } from "./teams.js";
import { userRoutes } from "./user.js";

export const REST_ROUTES: Route[] = [
  ...userRoutes,
  ...robotRoutesAll,
  ...organizationRoutes,
  ...applicationRoutes,
  ...teamRoutes,
  ...repositoryRoutes,
  ...permissionRoutes,
  ...tagRoutes,
  ...manifestRoutes,
  ...securityRoutes,
  ...logRoutes,
  ...superuserRoutes,
  ...quotaRoutes,
  ...notificationRoutes,
  ...buildAndTriggerRoutes,
  ...mirrorRoutes,
  ...proxyCacheRoutes,
  ...searchRoutes,
  ...discoveryRoutes(() => REST_ROUTES),
];
