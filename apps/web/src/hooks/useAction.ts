import { useCallback, useState } from "react";

/**
 * Runs a mutation-like action from a button or form and keeps its failure message for an ErrorAlert;
 * onSuccess (typically a refetch) runs after each action that succeeded.
 */
export function useAction(onSuccess?: () => void) {
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(
    async (fn: () => Promise<unknown>) => {
      setError(null);
      try {
        await fn();
        onSuccess?.();
      } catch (e) {
        setError((e as Error).message);
      }
    },
    [onSuccess],
  );
  return { error, run, setError };
}
