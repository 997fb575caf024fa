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
  Tooltip,
} from "@patternfly/react-core";
import { Link } from "react-router-dom";
import type { Viewer } from "../hooks/session";
import { RoutePath } from "../routes/paths";
import { InvitationsMenu } from "./InvitationsMenu";
import { UserMenu } from "./UserMenu";

/** The masthead; `viewer` is null for an anonymous visitor, who gets a sign-in button back to `next`. */
export function AppMasthead({ viewer, next }: { viewer: Viewer | null; next: string }) {
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
                    <Tooltip content="Notifications are not available yet">
                      <NotificationBadge variant="read" aria-label="Notifications" count={0} />
                    </Tooltip>
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
