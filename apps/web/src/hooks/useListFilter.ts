// A paged list's text filter: what is typed, the settled value the query filters by, and the cursor paging
// that ListSearch sends back to page 1 on every keystroke (the old cursors belong to the old filter).
import { useState } from "react";
import { useCursorPaging, type CursorPaging } from "./useCursorPaging";
import { useDebounced } from "./useDebounced";

export interface ListFilter {
  text: string;
  setText: (text: string) => void;
  /** The trimmed text once typing has paused: what goes into the query. */
  debounced: string;
  paging: CursorPaging;
}

export function useListFilter(perPage: number): ListFilter {
  const [text, setText] = useState("");
  const debounced = useDebounced(text.trim());
  const paging = useCursorPaging(perPage);
  return { text, setText, debounced, paging };
}
