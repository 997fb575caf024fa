// Teams and membership: three views (teams, members, collaborators), team creation, roles and members.
import { useState } from "react";
import {
  Button,
  Label,
  LabelGroup,
  ToggleGroup,
  ToggleGroupItem,
  Toolbar,
  ToolbarContent,
  ToolbarItem,
} from "@patternfly/react-core";
import { Table, Tbody, Td, Th, Thead, Tr } from "@patternfly/react-table";
import { RowActions } from "../../components/RowActions";
import { ConfirmByTypingModal } from "../../components/ConfirmByTypingModal";
import { EntityAvatar } from "../../components/EntityAvatar";
import { RoleSelect } from "../../components/RoleSelect";
import { EmptyView, ErrorAlert, QueryState } from "../../components/States";
import { TEAM_ROLES, useOrganizationTeams, useTeamMutations, type TeamRole } from "../../hooks/teams";
import { CreateTeamWizard } from "./CreateTeamWizard";
import { ManageMembersModal } from "./ManageMembersModal";

type View = "teams" | "members" | "collaborators";

const roleLabels = (repos: readonly { repository: string; role: string }[]) =>
  repos.length === 0 ? (
    "—"
  ) : (
    <LabelGroup numLabels={3}>
      {repos.map((r) => (
        <Label key={r.repository} isCompact>
          {r.repository}: {r.role}
        </Label>
      ))}
    </LabelGroup>
  );

export function TeamsTab({ organization, isAdmin }: { organization: string; isAdmin: boolean }) {
  const { result, refetch } = useOrganizationTeams(organization);
  const teams = useTeamMutations(organization);
  const [view, setView] = useState<View>("teams");
  const [creating, setCreating] = useState(false);
  const [managing, setManaging] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const setRole = async (team: string, role: TeamRole) => {
    setError(null);
    try {
      await teams.update(team, { role });
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <>
      <Toolbar>
        <ToolbarContent>
          <ToolbarItem>
            <ToggleGroup aria-label="Membership view">
              {(["teams", "members", "collaborators"] as View[]).map((v) => (
                <ToggleGroupItem
                  key={v}
                  text={v.charAt(0).toUpperCase() + v.slice(1)}
                  isSelected={view === v}
                  onChange={() => setView(v)}
                />
              ))}
            </ToggleGroup>
          </ToolbarItem>
          {isAdmin && (
            <ToolbarItem>
              <Button variant="primary" onClick={() => setCreating(true)}>
                Create team
              </Button>
            </ToolbarItem>
          )}
        </ToolbarContent>
      </Toolbar>
      <ErrorAlert error={error} />
      <QueryState result={result} errorTitle="Could not load teams">
        {({ organization: org }) => (
          <>
            {view === "teams" &&
              (org.teams.length === 0 ? (
                <EmptyView title="No teams" />
              ) : (
                <Table aria-label="Teams" variant="compact">
                  <Thead>
                    <Tr>
                      <Th>Team</Th>
                      <Th>Description</Th>
                      <Th>Members</Th>
                      <Th>Repositories</Th>
                      <Th>Role</Th>
                      {isAdmin && <Th screenReaderText="Actions" />}
                    </Tr>
                  </Thead>
                  <Tbody>
                    {org.teams.map((t) => (
                      <Tr key={t.name}>
                        <Td dataLabel="Team">
                          <EntityAvatar avatar={t.avatar} />{" "}
                          <Button variant="link" isInline onClick={() => setManaging(t.name)}>
                            {t.name}
                          </Button>
                        </Td>
                        <Td dataLabel="Description">{t.description || "—"}</Td>
                        <Td dataLabel="Members">{t.memberCount}</Td>
                        <Td dataLabel="Repositories">{t.repositoryCount}</Td>
                        <Td dataLabel="Role">
                          <RoleSelect
                            value={t.role}
                            roles={TEAM_ROLES}
                            isDisabled={!isAdmin}
                            ariaLabel={`Role of team ${t.name}`}
                            onChange={(r) => setRole(t.name, r)}
                          />
                        </Td>
                        {isAdmin && (
                          <Td isActionCell>
                            <RowActions
                              label={`Actions for team ${t.name}`}
                              items={[
                                { title: "Manage members", onClick: () => setManaging(t.name) },
                                { title: "Delete team", onClick: () => setDeleting(t.name) },
                              ]}
                            />
                          </Td>
                        )}
                      </Tr>
                    ))}
                  </Tbody>
                </Table>
              ))}
            {view === "members" &&
              (org.members.length === 0 ? (
                <EmptyView title="No members" />
              ) : (
                <Table aria-label="Members" variant="compact">
                  <Thead>
                    <Tr>
                      <Th>User</Th>
                      <Th>Teams</Th>
                      <Th>Direct repository permissions</Th>
                    </Tr>
                  </Thead>
                  <Tbody>
                    {org.members.map((m) => (
                      <Tr key={m.user.username}>
                        <Td dataLabel="User">
                          <EntityAvatar avatar={m.user.avatar} /> {m.user.username}
                        </Td>
                        <Td dataLabel="Teams">
                          <LabelGroup>
                            {m.teams.map((t) => (
                              <Label key={t} isCompact color="blue">
                                {t}
                              </Label>
                            ))}
                          </LabelGroup>
                        </Td>
                        <Td dataLabel="Direct repository permissions">{roleLabels(m.repositories)}</Td>
                      </Tr>
                    ))}
                  </Tbody>
                </Table>
              ))}
            {view === "collaborators" &&
              (org.collaborators.length === 0 ? (
                <EmptyView title="No collaborators">
                  Collaborators are users outside every team who hold a permission on a repository here.
                </EmptyView>
              ) : (
                <Table aria-label="Collaborators" variant="compact">
                  <Thead>
                    <Tr>
                      <Th>User</Th>
                      <Th>Repository permissions</Th>
                    </Tr>
                  </Thead>
                  <Tbody>
                    {org.collaborators.map((c) => (
                      <Tr key={c.user.username}>
                        <Td dataLabel="User">
                          <EntityAvatar avatar={c.user.avatar} /> {c.user.username}
                        </Td>
                        <Td dataLabel="Repository permissions">{roleLabels(c.repositories)}</Td>
                      </Tr>
                    ))}
                  </Tbody>
                </Table>
              ))}
          </>
        )}
      </QueryState>
      <CreateTeamWizard
        organization={organization}
        isOpen={creating}
        onClose={() => {
          setCreating(false);
          refetch();
        }}
      />
      {managing && (
        <ManageMembersModal
          organization={organization}
          team={managing}
          canEdit={isAdmin}
          onClose={() => {
            setManaging(null);
            refetch();
          }}
        />
      )}
      <ConfirmByTypingModal
        title={`Delete team ${deleting ?? ""}?`}
        isOpen={deleting !== null}
        expected={deleting ?? ""}
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          await teams.remove(deleting!);
          refetch();
        }}
      >
        <p>Members lose the repository permissions they had through this team.</p>
      </ConfirmByTypingModal>
    </>
  );
}
