import { Nav, NavItem, NavList, PageSidebar, PageSidebarBody } from "@patternfly/react-core";
import { Link, useLocation } from "react-router-dom";
import { RoutePath } from "../routes/paths";

const ITEMS: { label: string; path: RoutePath; superuser?: boolean }[] = [
  { label: "Repositories", path: RoutePath.Repositories },
  { label: "Organizations", path: RoutePath.Organizations },
  { label: "Explore", path: RoutePath.Explore },
  { label: "Account settings", path: RoutePath.UserSettings },
  { label: "Superuser panel", path: RoutePath.Superuser, superuser: true },
];

export function AppSidebar({ superuser }: { superuser: boolean }) {
  const { pathname } = useLocation();
  return (
    <PageSidebar>
      <PageSidebarBody>
        <Nav aria-label="Main navigation">
          <NavList>
            {ITEMS.filter((i) => !i.superuser || superuser).map((i) => (
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
