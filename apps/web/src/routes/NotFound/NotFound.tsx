import { Button, PageSection } from "@patternfly/react-core";
import { Link } from "react-router-dom";
import { EmptyView } from "../../components/States";
import { RoutePath } from "../paths";

/** A page, repository or organization that is not there; `message` is the server's own words, when it said any. */
export function NotFound({ what = "page", message }: { what?: string; message?: string }) {
  return (
    <PageSection>
      <EmptyView
        title={`This ${what} does not exist`}
        status={message ? "warning" : undefined}
        actions={
          <Button variant="primary" component={(p) => <Link {...p} to={RoutePath.Repositories} />}>
            Go to repositories
          </Button>
        }
      >
        {message && <p>{message}</p>}
        It may have been deleted, or you may not have access to it.
      </EmptyView>
    </PageSection>
  );
}
