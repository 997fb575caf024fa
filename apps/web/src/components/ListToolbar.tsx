// The toolbar above a paged list: the page's own items (filters, actions) with the pagination at the end,
// and ListSearch, the text filter that goes with useListFilter.
import type { ReactNode } from "react";
import { SearchInput, Toolbar, ToolbarContent, ToolbarItem } from "@patternfly/react-core";
import { CursorPagination, type ConnectionPage } from "./CursorPagination";
import type { CursorPaging } from "../hooks/useCursorPaging";
import type { ListFilter } from "../hooks/useListFilter";

export function ListToolbar({
  paging,
  connection,
  label,
  children,
}: {
  paging: CursorPaging;
  connection: ConnectionPage | undefined;
  /** The pagination's aria-label (CursorPagination's default when left out). */
  label?: string;
  children: ReactNode;
}) {
  return (
    <Toolbar>
      <ToolbarContent>
        {children}
        <ToolbarItem variant="pagination" align={{ default: "alignEnd" }}>
          <CursorPagination paging={paging} connection={connection} label={label} />
        </ToolbarItem>
      </ToolbarContent>
    </Toolbar>
  );
}

export function ListSearch({
  filter,
  label,
  placeholder,
}: {
  filter: ListFilter;
  /** The input's aria-label, which the e2e specs find it by. */
  label: string;
  placeholder?: string;
}) {
  // A new filter starts again at the first page, whether typed or cleared.
  const search = (v: string) => {
    filter.setText(v);
    filter.paging.reset();
  };
  return (
    <ToolbarItem>
      <SearchInput
        aria-label={label}
        placeholder={placeholder}
        value={filter.text}
        onChange={(_e, v) => search(v)}
        onClear={() => search("")}
      />
    </ToolbarItem>
  );
}
