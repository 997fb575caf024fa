import {
  Button,
  Masthead,
  MastheadBrand,
  MastheadContent,
  MastheadLogo,
  MastheadMain,
  MastheadToggle,
  NotificationBadge,
  PageToggleButton,
  Toolbar,
  ToolbarContent,
  ToolbarGroup,
  ToolbarItem,
} from "@patternfly/react-core";
import { Link } from "react-router-dom";
import type { Viewer } from "../hooks/session";
import { RoutePath } from "../routes/paths";
import { InvitationsMenu } from "./InvitationsMenu";
import { UserMenu } from "./UserMenu";

/**
 * The masthead; `viewer` is null for an anonymous visitor, who gets a sign-in button back to `next`. The
 * bell shows the viewer's unread notifications and opens the notification drawer.
 */
export function AppMasthead({
  viewer,
  next,
  unread = 0,
  isDrawerOpen = false,
  onToggleDrawer,
}: {
  viewer: Viewer | null;
  next: string;
  unread?: number;
  isDrawerOpen?: boolean;
  onToggleDrawer?: () => void;
}) {
  return (
    <Masthead>
      <MastheadMain>
        <MastheadToggle>
          <PageToggleButton isHamburgerButton aria-label="Global navigation" />
        </MastheadToggle>
        <MastheadBrand>
          <MastheadLogo component={(props) => <Link {...props} to="/" />}>
            <strong style={{ fontSize: "1.25rem" }}>Harbormaster</strong>
          </MastheadLogo>
        </MastheadBrand>
      </MastheadMain>
      <MastheadContent>
        <Toolbar isFullHeight isStatic>
          <ToolbarContent>
            <ToolbarGroup
              variant="action-group-plain"
              align={{ default: "alignEnd" }}
              gap={{ default: "gapMd" }}
            >
              {viewer ? (
                <>
                  <ToolbarItem>
                    <InvitationsMenu invitations={viewer.invitations} />
                  </ToolbarItem>
                  <ToolbarItem>
                    <NotificationBadge
                      variant={unread > 0 ? "unread" : "read"}
                      count={unread}
                      aria-label="Notifications"
                      isExpanded={isDrawerOpen}
                      onClick={onToggleDrawer}
                    />
                  </ToolbarItem>
                  <ToolbarItem>
                    <UserMenu viewer={viewer} />
                  </ToolbarItem>
                </>
              ) : (
                <ToolbarItem>
                  <Button
                    variant="secondary"
                    component={(props) => (
                      <Link {...props} to={`${RoutePath.SignIn}?next=${encodeURIComponent(next)}`} />
                    )}
                  >
                    Sign in
                  </Button>
                </ToolbarItem>
              )}
            </ToolbarGroup>
          </ToolbarContent>
        </Toolbar>
      </MastheadContent>
    </Masthead>
  );
}
