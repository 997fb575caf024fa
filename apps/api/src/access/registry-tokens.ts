// Docker/Quay-style registry bearer tokens: a short-lived ES256 JWT whose `access` claim lists the granted
// actions per repository. /v2 verifies it with the public key alone (no database round trip).
import * as jose from "jose";
import type { Db } from "../infra/database.js";
import { principalName, principalRef, type Principal } from "./principal.js";
import { systemSecret } from "./secrets.js";

export interface Grant {
  type: "repository" | "registry";
  name: string;
  actions: string[];
}

export interface TokenClaims {
  sub: string | null;
  access: Grant[];
  /** Compact principal reference for the backend (kind:id), so it never has to look the caller up again. */
  ctx: string;
}

const ALG = "ES256";
type Key = Awaited<ReturnType<typeof jose.importJWK>>;
/** Verified tokens remembered (until they expire) so /v2 pays for one ES256 verification per token. */
const VERIFIED_CACHE_MAX = 10_000;

export class RegistryTokens {
  private readonly verified = new Map<string, { claims: TokenClaims; expiresAt: number }>();

  private constructor(
    private readonly privateKey: Key,
    private readonly publicKey: Key,
    private readonly issuer: string,
    readonly service: string,
    private readonly ttlSeconds: number,
  ) {}

  static async load(db: Db, service: string, ttlSeconds: number): Promise<RegistryTokens> {
    const jwk = await systemSecret(db, "registry_signing_key", async () => {
      const { privateKey } = await jose.generateKeyPair(ALG, { extractable: true });
      return JSON.stringify(await jose.exportJWK(privateKey));
    });
    const priv = JSON.parse(jwk) as jose.JWK;
    const privateKey = (await jose.importJWK(priv, ALG)) as Key;
    const { d: _d, ...pub } = priv;
    const publicKey = (await jose.importJWK(pub, ALG)) as Key;
    return new RegistryTokens(privateKey, publicKey, "harbormaster", service, ttlSeconds);
  }

  get ttl(): number {
    return this.ttlSeconds;
  }

  async issue(principal: Principal, access: Grant[]): Promise<string> {
    return new jose.SignJWT({ access, ctx: principalRef(principal) })
      .setProtectedHeader({ alg: ALG, typ: "JWT" })
      .setIssuer(this.issuer)
      .setAudience(this.service)
      .setSubject(principalName(principal) ?? "")
      .setIssuedAt()
      .setNotBefore("-5s")
      .setExpirationTime(`${this.ttlSeconds}s`)
      .setJti(crypto.randomUUID())
      .sign(this.privateKey);
  }

  /**
   * Returns the claims of a valid token, or null. A token is immutable and cannot be revoked before it
   * expires, so a successful verification is cached until the token's `exp`.
   */
  async verify(token: string): Promise<TokenClaims | null> {
    const hit = this.verified.get(token);
    if (hit) {
      if (hit.expiresAt > Date.now()) return hit.claims;
      this.verified.delete(token);
    }
    try {
      const { payload } = await jose.jwtVerify(token, this.publicKey, {
        issuer: this.issuer,
        audience: this.service,
        algorithms: [ALG],
      });
      const claims = {
        sub: (payload.sub as string) || null,
        access: (payload.access as Grant[]) ?? [],
        ctx: String(payload.ctx ?? "a"),
      };
      if (typeof payload.exp === "number") {
        if (this.verified.size >= VERIFIED_CACHE_MAX) this.verified.clear();
        this.verified.set(token, { claims, expiresAt: payload.exp * 1000 });
      }
      return claims;
    } catch {
      return null;
    }
  }
}
