// Passwords recently verified, so that a client presenting the same password again (every `podman push`,
// `helm push` or `docker login` asks for a new registry token with it) is not put through argon2 again: one
// verification costs ~170 ms and ~250 ms of CPU on two cores, longer than pushing a 64 MiB layer.
// Only successes are remembered. An entry is an HMAC (under a key that lives only in this process's memory)
// of the user id, the stored hash and the password: changing the password changes the stored hash, so the old
// password no longer matches anything remembered. Entries live `ttlMs`; at most `max` are kept.
import crypto from "node:crypto";

export class VerifiedPasswords {
  private readonly key = crypto.randomBytes(32);
  private readonly until = new Map<string, number>();
  /** Verifications answered from memory (tests read it). */
  hits = 0;

  constructor(
    private readonly ttlMs = 5 * 60_000,
    private readonly max = 10_000,
  ) {}

  private entry(userId: bigint, storedHash: string, password: string): string {
    return crypto
      .createHmac("sha256", this.key)
      .update(`${userId}\0${storedHash}\0${password}`)
      .digest("base64");
  }

  /** Whether this password was verified against this stored hash within the TTL. */
  known(userId: bigint, storedHash: string, password: string): boolean {
    const k = this.entry(userId, storedHash, password);
    const t = this.until.get(k);
    if (t === undefined) return false;
    if (t < Date.now()) {
      this.until.delete(k);
      return false;
    }
    this.hits++;
    return true;
  }

  remember(userId: bigint, storedHash: string, password: string): void {
    const k = this.entry(userId, storedHash, password);
    this.until.delete(k); // re-inserted last: the Map's order is the eviction order
    this.until.set(k, Date.now() + this.ttlMs);
    while (this.until.size > this.max) this.until.delete(this.until.keys().next().value!);
  }
}
