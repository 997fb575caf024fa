import {
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
import { InvitationsMenu } from "./InvitationsMenu";
import { UserMenu } from "./UserMenu";

export function AppMasthead({ viewer }: { viewer: Viewer }) {
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
            </ToolbarGroup>
          </ToolbarContent>
        </Toolbar>
      </MastheadContent>
    </Masthead>
  );
}
