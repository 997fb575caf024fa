// Every route of the console, in one place, and the helpers that build links to them.

export enum RoutePath {
  Home = "/",
  SignIn = "/signin",
  SignUp = "/signup",
  Repositories = "/repository",
  /**
   * `/repository/<namespace>/<name...>`, `.../-/tag/<tag>` for a tag and `.../-/build/<id>` for a build
   * (names may contain slashes; "-" is no valid name part).
   */
  Repository = "/repository/:namespace/*",
  Organizations = "/organization",
  Organization = "/organization/:name",
  UserSettings = "/settings",
  Explore = "/explore",
  Superuser = "/superuser",
  ApiReference = "/api-reference",
  /** The consent page of the OAuth authorize flow (the server sends browsers here). */
  OAuthAuthorize = "/oauth/authorize",
}

const enc = (s: string) => s.split("/").map(encodeURIComponent).join("/");

export const links = {
  repository: (namespace: string, name: string, tab?: string) =>
    `/repository/${enc(namespace)}/${enc(name)}${tab ? `?tab=${tab}` : ""}`,
  /** A tag page; `params` picks its tab (details, securityreport, packages) and an index's child (digest). */
  tag: (namespace: string, name: string, tag: string, params?: { tab?: string; digest?: string }) => {
    const q = new URLSearchParams(Object.entries(params ?? {}).filter(([, v]) => v) as [string, string][]);
    const query = q.toString();
    return `/repository/${enc(namespace)}/${enc(name)}/-/tag/${encodeURIComponent(tag)}${query ? `?${query}` : ""}`;
  },
  /** A build's page: its phases and live log. */
  build: (namespace: string, name: string, id: string) =>
    `/repository/${enc(namespace)}/${enc(name)}/-/build/${encodeURIComponent(id)}`,
  organization: (name: string, tab?: string) => `/organization/${enc(name)}${tab ? `?tab=${tab}` : ""}`,
  /** A namespace page: organizations have one; a user's namespace shows their repositories. */
  namespaceRepositories: (namespace: string) => `/repository?namespace=${encodeURIComponent(namespace)}`,
};

/**
 * Splits the splat of RoutePath.Repository into the repository name and, for tag pages, the tag, for build
 * pages, the build's id.
 */
export function parseRepositorySplat(splat: string): {
  name: string;
  tag: string | null;
  build: string | null;
} {
  const b = splat.indexOf("/-/build/");
  if (b >= 0)
    return {
      name: splat.slice(0, b),
      tag: null,
      build: decodeURIComponent(splat.slice(b + "/-/build/".length).replace(/\/$/, "")),
    };
  const i = splat.indexOf("/-/tag/");
  if (i < 0) return { name: splat.replace(/\/$/, ""), tag: null, build: null };
  return { name: splat.slice(0, i), tag: decodeURIComponent(splat.slice(i + "/-/tag/".length)), build: null };
}
