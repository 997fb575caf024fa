import { Nav, NavItem, NavList, PageSidebar, PageSidebarBody } from "@patternfly/react-core";
import { Link, useLocation } from "react-router-dom";
import { RoutePath } from "../routes/paths";

type Audience = "anyone" | "user" | "superuser";

const ITEMS: { label: string; path: RoutePath; audience: Audience }[] = [
  { label: "Repositories", path: RoutePath.Repositories, audience: "user" },
  { label: "Organizations", path: RoutePath.Organizations, audience: "user" },
  { label: "Explore", path: RoutePath.Explore, audience: "anyone" },
  { label: "Account settings", path: RoutePath.UserSettings, audience: "user" },
  { label: "Superuser panel", path: RoutePath.Superuser, audience: "superuser" },
  { label: "API reference", path: RoutePath.ApiReference, audience: "anyone" },
];

/** Navigation; an anonymous visitor (viewer null) sees only what needs no account. */
export function AppSidebar({ viewer }: { viewer: { superuser: boolean } | null }) {
  const sees = (a: Audience) => a === "anyone" || (viewer !== null && (a === "user" || viewer.superuser));
  const { pathname } = useLocation();
  return (
    <PageSidebar>
      <PageSidebarBody>
        <Nav aria-label="Main navigation">
          <NavList>
            {ITEMS.filter((i) => sees(i.audience)).map((i) => (
              <NavItem key={i.path} isActive={pathname === i.path || pathname.startsWith(`${i.path}/`)}>
                <Link to={i.path}>{i.label}</Link>
              </NavItem>
            ))}
          </NavList>
        </Nav>
      </PageSidebarBody>
    </PageSidebar>
  );
}
