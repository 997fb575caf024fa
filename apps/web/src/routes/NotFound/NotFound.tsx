import { Button, PageSection } from "@patternfly/react-core";
import { Link } from "react-router-dom";
import { EmptyView } from "../../components/States";
import { RoutePath } from "../paths";

export function NotFound({ what = "page" }: { what?: string }) {
  return (
    <PageSection>
      <EmptyView
        title={`This ${what} does not exist`}
        actions={
          <Button variant="primary" component={(p) => <Link {...p} to={RoutePath.Repositories} />}>
            Go to repositories
          </Button>
        }
      >
        It may have been deleted, or you may not have access to it.
      </EmptyView>
    </PageSection>
  );
}
