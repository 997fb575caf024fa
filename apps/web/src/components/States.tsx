// Loading, error and empty states, the same everywhere. Errors show the server's own message.
import type { ReactNode } from "react";
import {
  Alert,
  Bullseye,
  EmptyState,
  EmptyStateActions,
  EmptyStateBody,
  EmptyStateFooter,
  Spinner,
} from "@patternfly/react-core";
import { CubesIcon } from "@patternfly/react-icons";
import type { CombinedError } from "urql";
import { errorMessage } from "../api/errors";

export function Loading({ label = "Loading" }: { label?: string }) {
  return (
    <Bullseye style={{ padding: "2rem" }}>
      <Spinner aria-label={label} />
    </Bullseye>
  );
}

export function ErrorAlert({
  error,
  title = "Something went wrong",
}: {
  error: CombinedError | Error | string | null | undefined;
  title?: string;
}) {
  if (!error) return null;
  const message = typeof error === "string" ? error : errorMessage(error);
  return (
    <Alert variant="danger" isInline title={title} role="alert">
      {message}
    </Alert>
  );
}

export function EmptyView({
  title,
  children,
  actions,
  icon = CubesIcon,
  status,
}: {
  title: string;
  children?: ReactNode;
  actions?: ReactNode;
  icon?: React.ComponentType;
  /** "danger" or "warning" turns the empty state into an error state (with the status icon). */
  status?: "danger" | "warning";
}) {
  return (
    <EmptyState
      titleText={title}
      headingLevel="h2"
      icon={status ? undefined : icon}
      status={status}
      variant="sm"
    >
      {children && <EmptyStateBody>{children}</EmptyStateBody>}
      {actions && (
        <EmptyStateFooter>
          <EmptyStateActions>{actions}</EmptyStateActions>
        </EmptyStateFooter>
      )}
    </EmptyState>
  );
}

/** Shows a spinner while the first answer is on its way, the error if there is one, else the content. */
export function QueryState<T>({
  result,
  errorTitle,
  children,
}: {
  result: { data?: T; fetching: boolean; error?: CombinedError };
  errorTitle?: string;
  children: (data: T) => ReactNode;
}) {
  if (result.error && !result.data) return <ErrorAlert error={result.error} title={errorTitle} />;
  if (!result.data) return <Loading />;
  return <>{children(result.data)}</>;
}
