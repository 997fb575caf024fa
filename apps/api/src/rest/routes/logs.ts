// Usage logs and their daily aggregates, by repository, organization, user and system-wide (Quay's logs
// module): `starttime`/`endtime` as MM/DD/YYYY (UTC days, the end day included), newest first, 20 a page.
import type { LogAggregate, LogQuery, LogRow } from "../../audit/queries.js";
import type { Principal } from "../../access/principal.js";
import type { Services } from "../../app/services.js";
import { splitRepository } from "../../tenancy/names.js";
import { ApiError } from "../errors.js";
import { q, route, type Route } from "../route.js";
import { Aggregated, avatar, formatDate, LogPage, userEntity } from "../views.js";

const DAY_MS = 24 * 3600 * 1000;
const PAGE = 20;

function parseDay(raw: string | undefined, name: string): Date | null {
  if (raw === undefined || raw === "") return null;
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(raw);
  const d = m ? new Date(Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2]))) : null;
  if (!d || d.getUTCDate() !== Number(m![2]))
    throw ApiError.badRequest(`${name} must be a date as MM/DD/YYYY`);
  return d;
}

/** Quay's window: the days given (the end day included), else from a day ago to now, plus one day. */
function window(query: { starttime?: string; endtime?: string }) {
  const now = Date.now();
  const start = parseDay(query.starttime, "starttime") ?? new Date(now - DAY_MS);
  const end = new Date((parseDay(query.endtime, "endtime")?.getTime() ?? now) + DAY_MS);
  if (end < start) throw ApiError.badRequest("endtime is before starttime");
  return { start, end };
}

const TIME_QUERY = {
  starttime: q.str("Earliest day of logs to return (MM/DD/YYYY, UTC)"),
  endtime: q.str("Latest day of logs to return (MM/DD/YYYY, UTC)"),
};
const PAGE_QUERY = { ...TIME_QUERY, next_page: q.str("The page token of the next page") };
const PERFORMER = { performer: q.str("Only entries performed by this username") };

function entry(r: LogRow, withNamespace: boolean) {
  const metadata = (r.metadata && typeof r.metadata === "object" ? r.metadata : {}) as Record<
    string,
    unknown
  >;
  return {
    kind: r.kind,
    metadata,
    ip: r.ip,
    datetime: formatDate(r.createdAt)!,
    ...(r.performer ? { performer: userEntity(r.performer, r.performerEmail) } : {}),
    ...(withNamespace && r.namespace
      ? {
          namespace: {
            kind: r.namespaceKind === "organization" ? ("org" as const) : ("user" as const),
            name: r.namespace,
            avatar: avatar(
              r.namespace,
              r.namespaceEmail,
              r.namespaceKind === "organization" ? "org" : "user",
            ),
          },
        }
      : {}),
  };
}

async function logPage(
  s: Services,
  p: Principal,
  scope: Pick<LogQuery, "namespace" | "repository" | "performer">,
  query: { starttime?: string; endtime?: string; next_page?: string },
  withNamespace = false,
) {
  const { start, end } = window(query);
  const page = await s.logs.query(p, {
    ...scope,
    from: start,
    to: new Date(end.getTime() - 1),
    first: PAGE,
    after: query.next_page || null,
  });
  return {
    start_time: formatDate(start)!,
    end_time: formatDate(end)!,
    logs: page.items.map((r) => entry(r, withNamespace)),
    ...(page.hasNextPage ? { next_page: page.cursors.at(-1)! } : {}),
  };
}

async function aggregates(
  s: Services,
  p: Principal,
  scope: Pick<LogQuery, "namespace" | "repository" | "performer">,
  query: { starttime?: string; endtime?: string },
) {
  const { start, end } = window(query);
  if (end.getTime() - start.getTime() > 32 * DAY_MS) throw ApiError.badRequest("Invalid date range for logs");
  const rows: LogAggregate[] = await s.logs.aggregate(p, {
    ...scope,
    from: start,
    to: new Date(end.getTime() - 1),
  });
  return { aggregated: rows.map((r) => ({ kind: r.kind, count: r.count, datetime: formatDate(r.day)! })) };
}

const repoScope = (full: string) => {
  const parts = splitRepository(full);
  if (!parts) throw ApiError.notFound();
  return { namespace: parts.namespace, repository: parts.name };
};

const userScope = (p: Principal) => {
  if (p.kind !== "user") throw ApiError.unauthenticated();
  return { namespace: p.username };
};

export const logRoutes: Route[] = [
  route({
    method: "get",
    path: "/repository/{repository}/logs",
    nickname: "listRepoLogs",
    tag: "logs",
    description: "List the logs for the specified repository.",
    scope: "repo:admin",
    query: PAGE_QUERY,
    response: LogPage,
    handler: ({ s, principal, params, query }) => logPage(s, principal, repoScope(params.repository!), query),
  }),
  route({
    method: "get",
    path: "/repository/{repository}/aggregatelogs",
    nickname: "getAggregateRepoLogs",
    tag: "logs",
    description: "Returns the aggregated logs for the specified repository.",
    scope: "repo:admin",
    query: TIME_QUERY,
    response: Aggregated,
    handler: ({ s, principal, params, query }) =>
      aggregates(s, principal, repoScope(params.repository!), query),
  }),
  route({
    method: "get",
    path: "/organization/{orgname}/logs",
    nickname: "listOrgLogs",
    tag: "logs",
    description: "List the logs for the specified organization.",
    scope: "org:admin",
    query: { ...PAGE_QUERY, ...PERFORMER },
    response: LogPage,
    handler: ({ s, principal, params, query }) =>
      logPage(s, principal, { namespace: params.orgname!, performer: query.performer }, query),
  }),
  route({
    method: "get",
    path: "/organization/{orgname}/aggregatelogs",
    nickname: "getAggregateOrgLogs",
    tag: "logs",
    description: "Gets the aggregated logs for the specified organization.",
    scope: "org:admin",
    query: { ...TIME_QUERY, ...PERFORMER },
    response: Aggregated,
    handler: ({ s, principal, params, query }) =>
      aggregates(s, principal, { namespace: params.orgname!, performer: query.performer }, query),
  }),
  route({
    method: "get",
    path: "/user/logs",
    nickname: "listUserLogs",
    tag: "logs",
    description: "List the logs for the current user.",
    scope: "user:admin",
    query: { ...PAGE_QUERY, ...PERFORMER },
    response: LogPage,
    handler: ({ s, principal, query }) =>
      logPage(s, principal, { ...userScope(principal), performer: query.performer }, query),
  }),
  route({
    method: "get",
    path: "/user/aggregatelogs",
    nickname: "getAggregateUserLogs",
    tag: "logs",
    description: "Returns the aggregated logs for the current user.",
    scope: "user:admin",
    query: { ...TIME_QUERY, ...PERFORMER },
    response: Aggregated,
    handler: ({ s, principal, query }) =>
      aggregates(s, principal, { ...userScope(principal), performer: query.performer }, query),
  }),
  route({
    method: "get",
    path: "/superuser/logs",
    nickname: "listAllLogs",
    tag: "superuser",
    description: "List the usage logs for the current system.",
    scope: "super:user",
    query: PAGE_QUERY,
    response: LogPage,
    handler: ({ s, principal, query }) => logPage(s, principal, {}, query, true),
  }),
  route({
    method: "get",
    path: "/superuser/aggregatelogs",
    nickname: "listAllAggregateLogs",
    tag: "superuser",
    description: "Returns the aggregated logs for the current system.",
    scope: "super:user",
    query: TIME_QUERY,
    response: Aggregated,
    handler: ({ s, principal, query }) => aggregates(s, principal, {}, query),
  }),
];
