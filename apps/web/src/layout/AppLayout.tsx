// The frame of every console page: masthead, sidebar navigation, and the page itself. Pages are for
// signed-in people, except those under `allowAnonymous` (Explore and public repositories), which anonymous
// visitors see with a sign-in button in place of the user menu. Signed-in people also get the bell's
// notification drawer, beside the page.
import { useState } from "react";
import { Page, SkipToContent } from "@patternfly/react-core";
import { Navigate, Outlet, useLocation } from "react-router-dom";
import { Loading, ErrorAlert } from "../components/States";
import { useBell } from "../hooks/notifications";
import { useViewer } from "../hooks/session";
import { RoutePath } from "../routes/paths";
import { AppMasthead } from "./AppMasthead";
import { AppSidebar } from "./AppSidebar";
import { NotificationsDrawer } from "./NotificationsDrawer";

const MAIN_ID = "main-content";

export function AppLayout({ allowAnonymous = false }: { allowAnonymous?: boolean }) {
  const { viewer, fetching, error } = useViewer();
  const location = useLocation();
  const bell = useBell(!viewer);
  const [drawerOpen, setDrawerOpen] = useState(false);
  const next = location.pathname + location.search;
  if (error && !viewer) return <ErrorAlert error={error} title="Could not reach the registry" />;
  if (fetching && viewer === undefined) return <Loading />;
  if (!viewer && !allowAnonymous)
    return <Navigate to={`${RoutePath.SignIn}?next=${encodeURIComponent(next)}`} replace />;
  return (
    <Page
      masthead={
        <AppMasthead
          viewer={viewer ?? null}
          next={next}
          unread={bell.unread}
          isDrawerOpen={drawerOpen}
          onToggleDrawer={() => setDrawerOpen((o) => !o)}
        />
      }
      sidebar={<AppSidebar viewer={viewer ?? null} />}
      notificationDrawer={
        viewer ? <NotificationsDrawer bell={bell} onClose={() => setDrawerOpen(false)} /> : undefined
      }
      isNotificationDrawerExpanded={!!viewer && drawerOpen}
      isManagedSidebar
      mainContainerId={MAIN_ID}
      skipToContent={<SkipToContent href={`#${MAIN_ID}`}>Skip to content</SkipToContent>}
    >
      <Outlet />
    </Page>
  );
}
