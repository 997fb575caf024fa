// Fixtures shared by every console spec: the base URL of the system started by global-setup.ts, a page
// that fails its test on any browser console error or uncaught exception, and a GraphQL client for
// arranging data (and cleaning it up) without going through the UI.
import { test as base, expect, request, type APIRequestContext, type Page } from "@playwright/test";
import { print, type DocumentNode } from "graphql";
import {
  CreateOrganizationDocument,
  DeleteOrganizationDocument,
  DeleteUserDocument,
  LoginDocument,
  SignUpDocument,
} from "@hm/schema";

export { expect };

export const baseURL = () => {
  const url = process.env.HM_E2E_URL;
  if (!url) throw new Error("HM_E2E_URL is not set: run the suite through e2e/playwright.config.ts");
  return url;
};
export const registryHost = () => process.env.HM_E2E_REGISTRY ?? new URL(baseURL()).host;

/** A unique, valid namespace-style name for data one test creates. */
export const uniqueName = (prefix: string) =>
  `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

type Vars = Record<string, unknown>;

export class GraphQLError extends Error {
  constructor(readonly errors: { message: string; extensions?: { code?: string } }[]) {
    super(errors.map((e) => `${e.extensions?.code ?? "ERROR"}: ${e.message}`).join("; "));
  }
}

/** GraphQL over a request context that keeps the session cookie, like the browser does. */
export class GraphQLClient {
  constructor(readonly ctx: APIRequestContext) {}

  async run<R = any>(document: string | DocumentNode, variables: Vars = {}): Promise<R> {
    const query = typeof document === "string" ? document : print(document);
    const res = await this.ctx.post("/graphql", { data: { query, variables } });
    const body = (await res.json()) as { data?: R; errors?: GraphQLError["errors"] };
    if (body.errors?.length) throw new GraphQLError(body.errors);
    if (!res.ok()) throw new Error(`GraphQL answered ${res.status()}`);
    return body.data as R;
  }

  dispose() {
    return this.ctx.dispose();
  }
}

/** A GraphQL client with no session yet. */
export async function anonymousClient(): Promise<GraphQLClient> {
  return new GraphQLClient(
    await request.newContext({
      baseURL: baseURL(),
      extraHTTPHeaders: { "content-type": "application/json" },
    }),
  );
}

export const ADMIN = { username: "admin", password: "admin-password" };

export interface Account {
  username: string;
  password: string;
  email: string;
}

/** A GraphQL client signed in with a password, the way the console signs in. */
export async function signedInClient(account: {
  username: string;
  password: string;
}): Promise<GraphQLClient> {
  const c = await anonymousClient();
  await c.run(LoginDocument, account);
  return c;
}

/** Cleanup steps a test registers while arranging data; they run newest first after the test. */
export class Cleanup {
  private steps: { what: string; run: () => Promise<unknown> }[] = [];
  add(what: string, run: () => Promise<unknown>) {
    this.steps.push({ what, run });
  }
  async runAll() {
    const failures: string[] = [];
    for (const s of this.steps.reverse()) {
      await s.run().catch((e: Error) => {
        // Already gone (the test deleted it through the UI) is fine.
        if (!/NOT_FOUND/.test(e.message)) failures.push(`${s.what}: ${e.message}`);
      });
    }
    this.steps = [];
    if (failures.length) console.warn(`cleanup problems:\n${failures.join("\n")}`);
  }
}

interface Fixtures {
  /** Console messages matching one of these are tolerated (e.g. a test that provokes an HTTP error). */
  allowedConsoleErrors: RegExp[];
  cleanup: Cleanup;
  /** The initial superuser, through GraphQL. */
  admin: GraphQLClient;
  /** Creates a user (signed up through GraphQL) that is deleted after the test. */
  createUser: (prefix?: string) => Promise<Account & { client: GraphQLClient }>;
  /** Creates an organization owned by this client's user; it is deleted after the test. Returns its name. */
  createOrganization: (owner: { client: GraphQLClient }, prefix?: string) => Promise<string>;
  /** Signs the browser page in as this account (the session cookie lands in the page's context). */
  signIn: (account: { username: string; password: string }) => Promise<void>;
}

export const test = base.extend<Fixtures>({
  // eslint-disable-next-line no-empty-pattern
  baseURL: async ({}, use) => use(baseURL()),
  allowedConsoleErrors: [[], { option: true }],
  // eslint-disable-next-line no-empty-pattern
  cleanup: async ({}, use) => {
    const c = new Cleanup();
    await use(c);
    await c.runAll();
  },
  // eslint-disable-next-line no-empty-pattern
  admin: async ({}, use) => {
    const c = await signedInClient(ADMIN);
    await use(c);
    await c.dispose();
  },
  createUser: async ({ admin, cleanup }, use) => {
    await use(async (prefix = "user") => {
      const username = uniqueName(prefix);
      const account = { username, password: `pw-${username}-secret`, email: `${username}@example.com` };
      const client = await anonymousClient();
      await client.run(SignUpDocument, account);
      // Cleanup runs after this fixture is torn down and newest first: the user's client is disposed as its
      // last step, after the steps that need it (deleting the user's organizations).
      cleanup.add(`dispose the client of ${username}`, () => client.dispose());
      cleanup.add(`delete user ${username}`, () => admin.run(DeleteUserDocument, { username }));
      return { ...account, client };
    });
  },
  createOrganization: async ({ cleanup }, use) => {
    await use(async ({ client }, prefix = "org") => {
      const name = uniqueName(prefix);
      await client.run(CreateOrganizationDocument, { name });
      cleanup.add(`delete ${name}`, () => client.run(DeleteOrganizationDocument, { name, confirm: name }));
      return name;
    });
  },
  signIn: async ({ page }, use) => {
    await use(async (account) => {
      const res = await page.request.post("/graphql", {
        headers: { "content-type": "application/json" },
        data: { query: print(LoginDocument), variables: account },
      });
      const body = await res.json();
      expect(body.errors, "sign-in through GraphQL").toBeUndefined();
    });
  },
  page: async ({ page, allowedConsoleErrors }, use) => {
    const problems: string[] = [];
    const allowed = (text: string) => allowedConsoleErrors.some((r) => r.test(text));
    page.on("console", (m) => {
      if (m.type() === "error" && !allowed(m.text())) problems.push(`console.error: ${m.text()}`);
    });
    page.on("pageerror", (e) => {
      if (!allowed(e.message)) problems.push(`uncaught: ${e.message}`);
    });
    await use(page);
    expect(problems, "the browser console stays free of errors").toEqual([]);
  },
});

export type { Page };
