// Requests in flight in this process. Background work that shares the process's event loop and cores with
// them (the scanner, when the server runs its own workers) steps aside while clients wait: it pauses for a
// quiet moment, never longer than it says, so it still progresses under constant load.
export class Foreground {
  private inFlight = 0;
  private waiters = new Set<() => void>();

  begin(): void {
    this.inFlight++;
  }

  end(): void {
    if (--this.inFlight > 0) return;
    this.inFlight = 0;
    const waiting = [...this.waiters];
    this.waiters.clear();
    for (const w of waiting) w();
  }

  /** Resolves when no request is in flight, or after `maxMs`. */
  quiet(maxMs: number): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, maxMs);
      this.waiters.add(done);
    });
  }
}
