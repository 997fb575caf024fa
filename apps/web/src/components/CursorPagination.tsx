import { Pagination, type PaginationProps } from "@patternfly/react-core";
import type { CursorPaging } from "../hooks/useCursorPaging";

export interface ConnectionPage {
  totalCount?: number | null;
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
  edges: readonly unknown[];
}

/**
 * PatternFly's compact pagination over a Relay connection (previous / next, items per page). When the
 * server does not count the matches (totalCount null), it shows "of many" until the last page is reached.
 */
export function CursorPagination({
  paging,
  connection,
  variant,
  label = "Pagination",
}: {
  paging: CursorPaging;
  connection: ConnectionPage | undefined;
  variant?: PaginationProps["variant"];
  label?: string;
}) {
  const shown = connection?.edges.length ?? 0;
  const first = shown ? (paging.page - 1) * paging.perPage + 1 : 0;
  const last = shown ? first + shown - 1 : 0;
  const known = connection?.totalCount ?? (connection && !connection.pageInfo.hasNextPage ? last : undefined);
  return (
    <Pagination
      isCompact
      variant={variant}
      itemCount={known}
      page={paging.page}
      perPage={paging.perPage}
      perPageOptions={[10, 20, 50, 100].map((n) => ({ title: String(n), value: n }))}
      toggleTemplate={() => (
        <>
          <b>
            {first} - {last}
          </b>{" "}
          of <b>{known ?? "many"}</b>
        </>
      )}
      onSetPage={(_e, page) => paging.setPage(page, connection?.pageInfo.endCursor)}
      onPerPageSelect={(_e, perPage) => paging.setPerPage(perPage)}
      titles={{ paginationAriaLabel: label }}
    />
  );
}
