// One robot's role on many repositories of its namespace at once.
import { useState } from "react";
import { FormModal } from "../../components/FormModal";
import { RepositoryRolesEditor, type RoleChoices } from "../../components/RepositoryRolesEditor";
import { useRobotMutations, type RobotSummary } from "../../hooks/robots";
import type { Role } from "../../hooks/repositories";

export function RobotPermissionsModal({
  namespace,
  robot,
  onClose,
}: {
  namespace: string;
  robot: RobotSummary | null;
  onClose: () => void;
}) {
  const { setPermissions } = useRobotMutations();
  const initial: RoleChoices = Object.fromEntries(
    (robot?.repositories ?? []).map((r) => [r.repository, r.role]),
  );
  const [choices, setChoices] = useState<RoleChoices>(initial);
  return (
    <FormModal
      title={`Repository permissions of ${robot?.name ?? ""}`}
      submitLabel="Save permissions"
      variant="medium"
      isOpen={robot !== null}
      onClose={onClose}
      onSubmit={async () => {
        // Group the changed repositories by their new role: one call per role.
        const byRole = new Map<Role | null, string[]>();
        for (const [repo, role] of Object.entries(choices)) {
          const next = role === "none" ? null : role;
          if ((initial[repo] ?? "none") === role) continue;
          byRole.set(next, [...(byRole.get(next) ?? []), repo]);
        }
        for (const [role, repositories] of byRole)
          await setPermissions({ name: robot!.name, repositories, role });
      }}
    >
      <RepositoryRolesEditor namespace={namespace} value={choices} onChange={setChoices} />
    </FormModal>
  );
}
