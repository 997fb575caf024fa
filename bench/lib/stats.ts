// Small statistics helpers: medians, percentiles (linear interpolation between closest ranks), spread.

export function quantile(values: number[], q: number): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

export const median = (v: number[]) => quantile(v, 0.5);
export const p95 = (v: number[]) => quantile(v, 0.95);
export const p99 = (v: number[]) => quantile(v, 0.99);
export const min = (v: number[]) => (v.length ? Math.min(...v) : NaN);
export const max = (v: number[]) => (v.length ? Math.max(...v) : NaN);

/** Milliseconds since `start` (a process.hrtime.bigint()). */
export const msSince = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

/** Runs `fn` over `items` with at most `concurrency` in flight; returns each call's latency in ms. */
export async function runPool<T>(
  items: T[],
  concurrency: number,
  fn: (item: T) => Promise<void>,
): Promise<{ latencies: number[]; wallMs: number }> {
  const latencies: number[] = [];
  let next = 0;
  const start = process.hrtime.bigint();
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      const t = process.hrtime.bigint();
      await fn(item);
      latencies.push(msSince(t));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return { latencies, wallMs: msSince(start) };
}
