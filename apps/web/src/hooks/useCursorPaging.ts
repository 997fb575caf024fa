// Relay-style paging for PatternFly's compact Pagination: remembers the end cursor of every page seen, so
// the person can step forward one page at a time and back to any page already visited.
import { useCallback, useState } from "react";

export interface CursorPaging {
  page: number;
  perPage: number;
  /** Variables for the connection field: { first, after }. */
  variables: { first: number; after: string | null };
  setPage: (page: number, endCursorOfCurrent?: string | null) => void;
  setPerPage: (perPage: number) => void;
  reset: () => void;
}

export function useCursorPaging(initialPerPage = 20): CursorPaging {
  const [perPage, setPerPageState] = useState(initialPerPage);
  const [page, setPageState] = useState(1);
  // cursors[i] is the `after` cursor for page i + 1 (page 1 starts at null).
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const setPage = useCallback(
    (next: number, endCursorOfCurrent?: string | null) => {
      if (next === page + 1 && endCursorOfCurrent) {
        setCursors((c) => [...c.slice(0, page), endCursorOfCurrent]);
        setPageState(next);
      } else if (next >= 1 && next <= page) setPageState(next);
    },
    [page],
  );
  const reset = useCallback(() => {
    setPageState(1);
    setCursors([null]);
  }, []);
  const setPerPage = useCallback(
    (n: number) => {
      setPerPageState(n);
      reset();
    },
    [reset],
  );
  return {
    page,
    perPage,
    variables: { first: perPage, after: cursors[page - 1] ?? null },
    setPage,
    setPerPage,
    reset,
  };
}
