// Failed password logins per username, counted in Redis so every process of a deployment shares them.
// After LIMIT failures inside WINDOW the username is refused until the window passes (as Quay throttles
// per user); a success clears the count.
import type { Redis } from "ioredis";

const LIMIT = 5;
const WINDOW_SECONDS = 300;

export class LoginThrottle {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(username: string) {
    return `${this.prefix}:login-failures:${username.toLowerCase()}`;
  }

  /** Seconds until the username may try again, or 0. Redis trouble never locks people out. */
  async retryAfter(username: string): Promise<number> {
    try {
      const [count, ttl] = await Promise.all([
        this.redis.get(this.key(username)),
        this.redis.ttl(this.key(username)),
      ]);
      return Number(count ?? 0) >= LIMIT ? Math.max(ttl, 1) : 0;
    } catch {
      return 0;
    }
  }

  async failed(username: string): Promise<void> {
    const k = this.key(username);
    await this.redis
      .multi()
      .incr(k)
      .expire(k, WINDOW_SECONDS, "NX")
      .exec()
      .catch(() => {});
  }

  async succeeded(username: string): Promise<void> {
    await this.redis.del(this.key(username)).catch(() => {});
  }
}
