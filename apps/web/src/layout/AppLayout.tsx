// The frame of every signed-in page: masthead, sidebar navigation, and the page itself.
import { Page, SkipToContent } from "@patternfly/react-core";
import { Navigate, Outlet, useLocation } from "react-router-dom";
import { Loading, ErrorAlert } from "../components/States";
import { useViewer } from "../hooks/session";
import { RoutePath } from "../routes/paths";
import { AppMasthead } from "./AppMasthead";
import { AppSidebar } from "./AppSidebar";

const MAIN_ID = "main-content";

export function AppLayout() {
  const { viewer, fetching, error } = useViewer();
  const location = useLocation();
  if (error && !viewer) return <ErrorAlert error={error} title="Could not reach the registry" />;
  if (fetching && viewer === undefined) return <Loading />;
  if (!viewer) {
    const next = location.pathname + location.search;
    return <Navigate to={`${RoutePath.SignIn}?next=${encodeURIComponent(next)}`} replace />;
  }
  return (
    <Page
      masthead={<AppMasthead viewer={viewer} />}
      sidebar={<AppSidebar superuser={viewer.superuser} />}
      isManagedSidebar
      mainContainerId={MAIN_ID}
      skipToContent={<SkipToContent href={`#${MAIN_ID}`}>Skip to content</SkipToContent>}
    >
      <Outlet />
    </Page>
  );
}
