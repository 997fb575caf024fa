import { useState } from "react";
import {
  Checkbox,
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  Form,
  FormGroup,
  FormHelperText,
  HelperText,
  HelperTextItem,
  TextInput,
  WizardStep,
} from "@patternfly/react-core";
import { chosenRoles, RepositoryRolesEditor, type RoleChoices } from "../../components/RepositoryRolesEditor";
import { EmptyView, QueryState } from "../../components/States";
import { WizardModal } from "../../components/WizardModal";
import { useRobotMutations } from "../../hooks/robots";
import { useOrganizationTeams, useTeamMutations } from "../../hooks/teams";
import type { Role } from "../../hooks/repositories";

function TeamChoices({
  organization,
  value,
  onChange,
}: {
  organization: string;
  value: string[];
  onChange: (v: string[]) => void;
}) {
  const { result } = useOrganizationTeams(organization);
  return (
    <QueryState result={result}>
      {({ organization: org }) =>
        org.teams.length === 0 ? (
          <EmptyView title="No teams yet" />
        ) : (
          <Form>
            {org.teams.map((t) => (
              <Checkbox
                key={t.name}
                id={`robot-team-${t.name}`}
                label={t.name}
                description={`${t.role}${t.description ? ` · ${t.description}` : ""}`}
                isChecked={value.includes(t.name)}
                onChange={(_e, on) => onChange(on ? [...value, t.name] : value.filter((x) => x !== t.name))}
              />
            ))}
          </Form>
        )
      }
    </QueryState>
  );
}

export function CreateRobotWizard({
  namespace,
  isOrganization,
  isOpen,
  onClose,
  onCreated,
}: {
  namespace: string;
  isOrganization: boolean;
  isOpen: boolean;
  onClose: () => void;
  onCreated: (fullName: string) => void;
}) {
  const robots = useRobotMutations();
  const teams = useTeamMutations(namespace);
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [teamNames, setTeamNames] = useState<string[]>([]);
  const [repos, setRepos] = useState<RoleChoices>({});
  const reset = () => {
    setName("");
    setDescription("");
    setTeamNames([]);
    setRepos({});
  };
  return (
    <WizardModal
      title="Create robot account"
      isOpen={isOpen}
      onClose={() => {
        reset();
        onClose();
      }}
      onSave={async () => {
        const robot = await robots.create({ namespace, name: name.trim(), description });
        for (const t of teamNames) await teams.addMember(t, robot.name);
        const byRole = new Map<Role, string[]>();
        for (const [repo, role] of chosenRoles(repos)) byRole.set(role, [...(byRole.get(role) ?? []), repo]);
        for (const [role, repositories] of byRole)
          await robots.setPermissions({ name: robot.name, repositories, role });
        onCreated(robot.name);
      }}
    >
      <WizardStep name="Robot name and description" id="robot-name" footer={{ isNextDisabled: !name.trim() }}>
        <Form onSubmit={(e) => e.preventDefault()}>
          <FormGroup label="Robot name" isRequired fieldId="robot-name-input">
            <TextInput
              id="robot-name-input"
              value={name}
              onChange={(_e, v) => setName(v)}
              autoComplete="off"
            />
            <FormHelperText>
              <HelperText>
                <HelperTextItem>
                  The account is named {namespace}+{name || "name"}: lowercase letters, digits and _, starting
                  with a letter.
                </HelperTextItem>
              </HelperText>
            </FormHelperText>
          </FormGroup>
          <FormGroup label="Description" fieldId="robot-description">
            <TextInput id="robot-description" value={description} onChange={(_e, v) => setDescription(v)} />
          </FormGroup>
        </Form>
      </WizardStep>
      {isOrganization ? (
        <WizardStep name="Add to teams" id="robot-teams">
          <TeamChoices organization={namespace} value={teamNames} onChange={setTeamNames} />
        </WizardStep>
      ) : null}
      <WizardStep name="Repository permissions" id="robot-repos">
        <RepositoryRolesEditor namespace={namespace} value={repos} onChange={setRepos} />
      </WizardStep>
      <WizardStep name="Review" id="robot-review" footer={{ nextButtonText: "Create robot account" }}>
        <DescriptionList isHorizontal>
          <DescriptionListGroup>
            <DescriptionListTerm>Robot account</DescriptionListTerm>
            <DescriptionListDescription>
              {namespace}+{name}
            </DescriptionListDescription>
          </DescriptionListGroup>
          {isOrganization && (
            <DescriptionListGroup>
              <DescriptionListTerm>Teams</DescriptionListTerm>
              <DescriptionListDescription>{teamNames.join(", ") || "none"}</DescriptionListDescription>
            </DescriptionListGroup>
          )}
          <DescriptionListGroup>
            <DescriptionListTerm>Repositories</DescriptionListTerm>
            <DescriptionListDescription>
              {chosenRoles(repos)
                .map(([r, role]) => `${r} (${role})`)
                .join(", ") || "none"}
            </DescriptionListDescription>
          </DescriptionListGroup>
        </DescriptionList>
      </WizardStep>
    </WizardModal>
  );
}
