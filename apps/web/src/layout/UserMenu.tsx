import { useState } from "react";
import { Dropdown, DropdownItem, DropdownList, MenuToggle } from "@patternfly/react-core";
import { useNavigate } from "react-router-dom";
import { EntityAvatar } from "../components/EntityAvatar";
import { useLogout, type Viewer } from "../hooks/session";
import { RoutePath } from "../routes/paths";

export function UserMenu({ viewer }: { viewer: Viewer }) {
  const [open, setOpen] = useState(false);
  const navigate = useNavigate();
  const logout = useLogout();
  return (
    <Dropdown
      isOpen={open}
      onOpenChange={setOpen}
      popperProps={{ position: "right" }}
      toggle={(ref) => (
        <MenuToggle
          ref={ref}
          variant="plainText"
          isExpanded={open}
          onClick={() => setOpen(!open)}
          aria-label="User menu"
          icon={<EntityAvatar avatar={viewer.avatar} />}
        >
          {/* On narrow screens the avatar alone, so the masthead fits. */}
          <span className="hm-hide-on-narrow">{viewer.username}</span>
        </MenuToggle>
      )}
    >
      <DropdownList>
        <DropdownItem key="settings" onClick={() => navigate(RoutePath.UserSettings)}>
          Account settings
        </DropdownItem>
        <DropdownItem
          key="logout"
          onClick={async () => {
            await logout();
            // A full load leaves nothing of the previous session in the client's cache.
            window.location.assign(RoutePath.SignIn);
          }}
        >
          Sign out
        </DropdownItem>
      </DropdownList>
    </Dropdown>
  );
}
