import { useState } from "react";
import {
  Button,
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  Form,
  FormGroup,
  Label,
  LabelGroup,
  TextArea,
  TextInput,
  WizardStep,
} from "@patternfly/react-core";
import { EntityPicker, type PickedEntity } from "../../components/EntityPicker";
import { chosenRoles, RepositoryRolesEditor, type RoleChoices } from "../../components/RepositoryRolesEditor";
import { RoleSelect } from "../../components/RoleSelect";
import { WizardModal } from "../../components/WizardModal";
import { useRepositoryMutations } from "../../hooks/repositories";
import { TEAM_ROLES, useTeamMutations, type TeamRole } from "../../hooks/teams";

export function CreateTeamWizard({
  organization,
  isOpen,
  onClose,
}: {
  organization: string;
  isOpen: boolean;
  onClose: () => void;
}) {
  const teams = useTeamMutations(organization);
  const { setPermission } = useRepositoryMutations();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [role, setRole] = useState<TeamRole>("member");
  const [repos, setRepos] = useState<RoleChoices>({});
  const [members, setMembers] = useState<string[]>([]);
  const [picked, setPicked] = useState<PickedEntity>({ kind: "user", name: "" });
  const reset = () => {
    setName("");
    setDescription("");
    setRole("member");
    setRepos({});
    setMembers([]);
    setPicked({ kind: "user", name: "" });
  };
  const addPicked = () => {
    const n = picked.name.trim();
    if (n && !members.includes(n)) setMembers([...members, n]);
    setPicked({ ...picked, name: "" });
  };
  return (
    <WizardModal
      title="Create team"
      isOpen={isOpen}
      onClose={() => {
        reset();
        onClose();
      }}
      onSave={async () => {
        await teams.create(name.trim(), description, role);
        for (const [repo, r] of chosenRoles(repos)) {
          await setPermission({
            namespace: organization,
            name: repo,
            kind: "team",
            entity: name.trim(),
            role: r,
          });
        }
        for (const m of members) await teams.addMember(name.trim(), m);
      }}
    >
      <WizardStep name="Name and role" id="team-name" footer={{ isNextDisabled: !name.trim() }}>
        <Form onSubmit={(e) => e.preventDefault()}>
          <FormGroup label="Team name" isRequired fieldId="team-name-input">
            <TextInput
              id="team-name-input"
              value={name}
              onChange={(_e, v) => setName(v)}
              autoComplete="off"
            />
          </FormGroup>
          <FormGroup label="Description" fieldId="team-description">
            <TextArea id="team-description" value={description} onChange={(_e, v) => setDescription(v)} />
          </FormGroup>
          <FormGroup label="Team role" fieldId="team-role">
            <RoleSelect
              id="team-role"
              value={role}
              roles={TEAM_ROLES}
              onChange={setRole}
              ariaLabel="Team role"
            />
          </FormGroup>
        </Form>
      </WizardStep>
      <WizardStep name="Repository permissions" id="team-repos">
        <RepositoryRolesEditor namespace={organization} value={repos} onChange={setRepos} />
      </WizardStep>
      <WizardStep name="Members" id="team-members">
        <Form
          onSubmit={(e) => {
            e.preventDefault();
            addPicked();
          }}
        >
          <EntityPicker
            label="Add a member (username, e-mail or robot)"
            value={picked}
            onChange={setPicked}
            namespace={organization}
            kinds={["user", "robot"]}
          />
          <Button type="submit" variant="secondary" isDisabled={!picked.name.trim()}>
            Add to list
          </Button>
          <LabelGroup categoryName="Will be added" numLabels={10}>
            {members.map((m) => (
              <Label key={m} onClose={() => setMembers(members.filter((x) => x !== m))}>
                {m}
              </Label>
            ))}
          </LabelGroup>
        </Form>
      </WizardStep>
      <WizardStep name="Review" id="team-review" footer={{ nextButtonText: "Create team" }}>
        <DescriptionList isHorizontal>
          <DescriptionListGroup>
            <DescriptionListTerm>Team</DescriptionListTerm>
            <DescriptionListDescription>{name}</DescriptionListDescription>
          </DescriptionListGroup>
          <DescriptionListGroup>
            <DescriptionListTerm>Role</DescriptionListTerm>
            <DescriptionListDescription>{role}</DescriptionListDescription>
          </DescriptionListGroup>
          <DescriptionListGroup>
            <DescriptionListTerm>Repositories</DescriptionListTerm>
            <DescriptionListDescription>
              {chosenRoles(repos)
                .map(([r, role]) => `${r} (${role})`)
                .join(", ") || "none"}
            </DescriptionListDescription>
          </DescriptionListGroup>
          <DescriptionListGroup>
            <DescriptionListTerm>Members</DescriptionListTerm>
            <DescriptionListDescription>{members.join(", ") || "none"}</DescriptionListDescription>
          </DescriptionListGroup>
        </DescriptionList>
      </WizardStep>
    </WizardModal>
  );
}
