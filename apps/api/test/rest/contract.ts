// The REST contract: every answer the tests receive is checked against the discovery document the server
// publishes. The operation must be in the document, the status among its declared ones, and the body valid
// against the declared schema (the success schema, or ApiError for errors).
import { Ajv, type ValidateFunction } from "ajv";

interface Operation {
  operationId: string;
  responses: Record<string, { schema?: { $ref: string } }>;
}

interface Doc {
  paths: Record<string, Record<string, unknown>>;
  definitions: Record<string, object>;
}

export class Contract {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly routes: { re: RegExp; rank: number; ops: Record<string, Operation> }[] = [];
  private readonly validators = new Map<string, ValidateFunction>();
  /** operationId → statuses seen, for coverage checks. */
  readonly seen = new Map<string, Set<number>>();

  constructor(readonly doc: Doc) {
    this.ajv.addSchema({ definitions: doc.definitions }, "doc");
    for (const [path, item] of Object.entries(doc.paths)) {
      const pattern = path
        .replace(/\/+$/, "")
        .split(/(\{[a-z_]+\})/)
        .map((part) => {
          const m = /^\{([a-z_]+)\}$/.exec(part);
          if (!m) return part.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
          return m[1] === "repository" ? "[^/]+/[^/]+(?:/[^/]+)*?" : "[^/]+";
        })
        .join("");
      const ops = Object.fromEntries(
        Object.entries(item).filter(([k]) => ["get", "put", "post", "delete"].includes(k)),
      ) as Record<string, Operation>;
      const literal = path.split("/").filter((p) => p && !p.startsWith("{"));
      this.routes.push({
        re: new RegExp(`^${pattern}/?$`),
        rank: literal.length * 1000 + literal.join("").length,
        ops,
      });
    }
    // The most literal paths first, as the server matches them.
    this.routes.sort((a, b) => b.rank - a.rank);
  }

  operation(method: string, path: string): Operation | null {
    const m = method.toLowerCase() === "head" ? "get" : method.toLowerCase();
    for (const r of this.routes) if (r.re.test(path) && r.ops[m]) return r.ops[m]!;
    return null;
  }

  private validator(ref: string): ValidateFunction {
    let v = this.validators.get(ref);
    if (!v) {
      v = this.ajv.compile({ $ref: `doc${ref}` });
      this.validators.set(ref, v);
    }
    return v;
  }

  /** What is wrong with this answer, if anything. */
  check(method: string, path: string, status: number, body: unknown): string[] {
    const op = this.operation(method, path.split("?")[0]!);
    if (!op) return [`${method} ${path}: no operation in the discovery document`];
    const seen = this.seen.get(op.operationId) ?? new Set<number>();
    seen.add(status);
    this.seen.set(op.operationId, seen);
    const declared = op.responses[String(status)];
    if (!declared)
      return [`${op.operationId}: status ${status} is not declared (${Object.keys(op.responses)})`];
    if (status === 204) return body === null ? [] : [`${op.operationId}: a 204 with a body`];
    if (!declared.schema) return [];
    const v = this.validator(declared.schema.$ref);
    if (v(body)) return [];
    return [
      `${op.operationId} ${status}: ${this.ajv.errorsText(v.errors, { separator: "; " })} in ${JSON.stringify(body).slice(0, 400)}`,
    ];
  }
}
