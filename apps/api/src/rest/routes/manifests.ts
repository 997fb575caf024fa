// Manifests and their labels (Quay's manifest module).
import { z } from "zod";
import { parseDigest } from "@hm/oci";
import type { LabelView } from "../../content/labels.js";
import { ApiError } from "../errors.js";
import { q, route, type Route } from "../route.js";
import { formatDate } from "../views.js";

const Label = z.object({
  id: z.string(),
  key: z.string(),
  value: z.string(),
  source_type: z.enum(["manifest", "api", "internal"]),
  media_type: z.string(),
});

const label = (l: LabelView) => ({
  id: String(l.id),
  key: l.key,
  value: l.value,
  source_type: l.source,
  media_type: l.mediaType,
});

const digestOf = (raw: string) => {
  if (!parseDigest(raw)) throw ApiError.notFound(`Manifest ${raw} not found`);
  return raw;
};

const labelId = (raw: string) => {
  if (!/^\d{1,18}$/.test(raw)) throw ApiError.notFound(`Label ${raw} not found`);
  return BigInt(raw);
};

const base = "/repository/{repository}/manifest/{manifestref}";

export const manifestRoutes: Route[] = [
  route({
    method: "get",
    path: base,
    nickname: "getRepoManifest",
    tag: "manifest",
    description: "The manifest's document and, for an image, its layers with sizes and build history.",
    scope: "repo:read",
    response: z.object({
      digest: z.string(),
      is_manifest_list: z.boolean(),
      manifest_data: z.string(),
      config_media_type: z.string().nullable(),
      layers_compressed_size: z.number().int(),
      layers: z
        .array(
          z.object({
            index: z.number().int(),
            compressed_size: z.number().int().nullable(),
            is_remote: z.boolean(),
            urls: z.array(z.string()).nullable(),
            command: z.array(z.string()).nullable(),
            comment: z.string().nullable(),
            author: z.string().nullable(),
            blob_digest: z.string(),
            created_datetime: z.string().nullable(),
          }),
        )
        .nullable(),
    }),
    async handler({ s, principal, params }) {
      const m = await s.manifestDetails.describe(
        principal,
        params.repository!,
        digestOf(params.manifestref!),
      );
      return {
        digest: m.digest,
        is_manifest_list: m.isManifestList,
        manifest_data: m.document,
        config_media_type: m.configMediaType,
        layers_compressed_size: m.layersSize,
        layers:
          m.layers?.map((l) => ({
            index: l.index,
            compressed_size: l.size,
            is_remote: false,
            urls: l.urls,
            command: l.command,
            comment: l.comment,
            author: l.author,
            blob_digest: l.digest,
            created_datetime: formatDate(l.created),
          })) ?? null,
      };
    },
  }),
  route({
    method: "get",
    path: `${base}/labels`,
    nickname: "listManifestLabels",
    tag: "manifest",
    description: "The labels of the manifest: from the image (read-only) and added through the API.",
    scope: "repo:read",
    query: { filter: q.str("If specified, only labels whose key starts with this prefix") },
    response: z.object({ labels: z.array(Label) }),
    async handler({ s, principal, params, query }) {
      const rows = await s.labels.list(
        principal,
        params.repository!,
        digestOf(params.manifestref!),
        query.filter,
      );
      return { labels: rows.map(label) };
    },
  }),
  route({
    method: "post",
    path: `${base}/labels`,
    nickname: "addManifestLabel",
    tag: "manifest",
    description: "Adds a new label to the manifest (quay.expires-after sets its tags' expiration).",
    scope: "repo:write",
    body: z.strictObject({
      key: z.string(),
      value: z.string(),
      media_type: z.enum(["text/plain", "application/json"]).nullable().optional(),
    }),
    response: z.object({ label: Label }),
    status: 201,
    async handler({ s, principal, params, body, ip, res }) {
      const digest = digestOf(params.manifestref!);
      const l = await s.labels.add(
        principal,
        params.repository!,
        digest,
        { key: body.key, value: body.value, mediaType: body.media_type ?? null },
        ip,
      );
      res.setHeader("Location", `/api/v1/repository/${params.repository}/manifest/${digest}/labels/${l.id}`);
      return { label: label(l) };
    },
  }),
  route({
    method: "get",
    path: `${base}/labels/{labelid}`,
    nickname: "getManifestLabel",
    tag: "manifest",
    description: "Retrieves the label with the specific ID under the manifest.",
    scope: "repo:read",
    response: Label,
    handler: async ({ s, principal, params }) =>
      label(
        await s.labels.get(
          principal,
          params.repository!,
          digestOf(params.manifestref!),
          labelId(params.labelid!),
        ),
      ),
  }),
  route({
    method: "delete",
    path: `${base}/labels/{labelid}`,
    nickname: "deleteManifestLabel",
    tag: "manifest",
    description: "Deletes a label added through the API (labels from the image are read-only).",
    scope: "repo:write",
    response: null,
    async handler({ s, principal, params, ip }) {
      await s.labels.remove(
        principal,
        params.repository!,
        digestOf(params.manifestref!),
        labelId(params.labelid!),
        ip,
      );
    },
  }),
];
