// OAuth applications of an organization (its admins) and what anyone may read of one (Quay's organization
// module): the client secret is in the answers that create or reset it, and nowhere else.
import { z } from "zod";
import { route, type Route } from "../route.js";
import { Avatar, avatar } from "../views.js";

const Application = z.object({
  name: z.string(),
  description: z.string(),
  application_uri: z.string(),
  client_id: z.string(),
  client_secret: z.string().nullable(),
  redirect_uri: z.string().nullable(),
  avatar_email: z.string().nullable(),
});

const ApplicationFields = {
  redirect_uri: z.string().optional(),
  application_uri: z.string().optional(),
  description: z.string().optional(),
  avatar_email: z.string().nullable().optional(),
};

function applicationView(
  a: {
    name: string;
    description: string;
    applicationUri: string;
    clientId: string;
    redirectUri: string;
    avatarEmail: string | null;
  },
  clientSecret: string | null = null,
) {
  return {
    name: a.name,
    description: a.description,
    application_uri: a.applicationUri,
    client_id: a.clientId,
    // Only its hash is kept: the secret is in the answers that create or reset it, and nowhere else.
    client_secret: clientSecret,
    redirect_uri: a.redirectUri,
    avatar_email: a.avatarEmail,
  };
}

const applicationInput = (b: {
  name?: string;
  redirect_uri?: string;
  application_uri?: string;
  description?: string;
  avatar_email?: string | null;
}) => ({
  name: b.name,
  redirectUri: b.redirect_uri,
  applicationUri: b.application_uri,
  description: b.description,
  avatarEmail: b.avatar_email,
});

export const applicationRoutes: Route[] = [
  route({
    method: "get",
    path: "/organization/{orgname}/applications",
    nickname: "getOrganizationApplications",
    tag: "organization",
    description: "List the OAuth applications of the organization.",
    scope: "org:admin",
    response: z.object({ applications: z.array(Application) }),
    async handler({ s, principal, params }) {
      const apps = await s.oauth.listApplications(principal, params.orgname!);
      return { applications: apps.map((a) => applicationView(a)) };
    },
  }),
  route({
    method: "post",
    path: "/organization/{orgname}/applications",
    nickname: "createOrganizationApplication",
    tag: "organization",
    description: "Creates a new OAuth application; its client secret is in this answer only.",
    scope: "org:admin",
    body: z.strictObject({ name: z.string(), ...ApplicationFields }),
    response: Application,
    async handler({ s, principal, params, body, ip }) {
      const input = { ...applicationInput(body), name: body.name };
      const { app, clientSecret } = await s.oauth.createApplication(principal, params.orgname!, input, ip);
      return applicationView(app, clientSecret);
    },
  }),
  route({
    method: "get",
    path: "/organization/{orgname}/applications/{client_id}",
    nickname: "getOrganizationApplication",
    tag: "organization",
    description: "Retrieves the OAuth application with the given client ID.",
    scope: "org:admin",
    response: Application,
    handler: async ({ s, principal, params }) =>
      applicationView(await s.oauth.getApplication(principal, params.orgname!, params.client_id!)),
  }),
  route({
    method: "put",
    path: "/organization/{orgname}/applications/{client_id}",
    nickname: "updateOrganizationApplication",
    tag: "organization",
    description: "Updates an OAuth application; fields left out keep their value.",
    scope: "org:admin",
    body: z.strictObject({ name: z.string().optional(), ...ApplicationFields }),
    response: Application,
    async handler({ s, principal, params, body, ip }) {
      const app = await s.oauth.updateApplication(
        principal,
        params.orgname!,
        params.client_id!,
        applicationInput(body),
        ip,
      );
      return applicationView(app);
    },
  }),
  route({
    method: "delete",
    path: "/organization/{orgname}/applications/{client_id}",
    nickname: "deleteOrganizationApplication",
    tag: "organization",
    description: "Deletes the OAuth application and the tokens it issued.",
    scope: "org:admin",
    response: null,
    async handler({ s, principal, params, ip }) {
      await s.oauth.deleteApplication(principal, params.orgname!, params.client_id!, ip);
    },
  }),
  route({
    method: "post",
    path: "/organization/{orgname}/applications/{client_id}/resetclientsecret",
    nickname: "resetOrganizationApplicationClientSecret",
    tag: "organization",
    description: "Resets the client secret of the application; the new secret is in this answer only.",
    scope: "org:admin",
    response: Application,
    async handler({ s, principal, params, ip }) {
      const { app, clientSecret } = await s.oauth.resetClientSecret(
        principal,
        params.orgname!,
        params.client_id!,
        ip,
      );
      return applicationView(app, clientSecret);
    },
  }),
  route({
    method: "get",
    path: "/app/{client_id}",
    nickname: "getApplicationInformation",
    tag: "organization",
    description: "Get information on the specified application (what its consent page shows).",
    response: z.object({
      name: z.string(),
      description: z.string(),
      uri: z.string(),
      avatar: Avatar,
      organization: z.object({ name: z.string(), avatar: Avatar }),
    }),
    async handler({ s, params }) {
      const app = await s.oauth.publicApplication(params.client_id!);
      return {
        name: app.name,
        description: app.description,
        uri: app.applicationUri,
        avatar: avatar(app.name, app.avatarEmail ?? app.namespace.email, "app"),
        organization: {
          name: app.namespace.name,
          avatar: avatar(app.namespace.name, app.namespace.email, "org"),
        },
      };
    },
  }),
];
