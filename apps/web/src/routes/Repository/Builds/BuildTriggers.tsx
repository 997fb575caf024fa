// The Build triggers of a repository (admins; seed 001 §7.3 and ch. 10): the table as Quay shows it (trigger
// name, Dockerfile and context location, branches/tags, pull robot, tagging options), with View credentials,
// Run trigger now, Disable/Enable and Delete per trigger, and the wizard that creates one.
import { useState } from "react";
import {
  Button,
  Content,
  Label,
  LabelGroup,
  Title,
  Toolbar,
  ToolbarContent,
  ToolbarItem,
} from "@patternfly/react-core";
import { ExclamationTriangleIcon } from "@patternfly/react-icons";
import { Table, Tbody, Td, Th, Thead, Tr } from "@patternfly/react-table";
import { useNavigate } from "react-router-dom";
import { FormModal } from "../../../components/FormModal";
import { RowActions } from "../../../components/RowActions";
import { EmptyView, ErrorAlert, QueryState } from "../../../components/States";
import { useBuildTriggerMutations, useBuildTriggers, type BuildTrigger } from "../../../hooks/builds";
import { useAction } from "../../../hooks/useAction";
import { links } from "../../paths";
import { disabledReason, triggerName } from "./phases";
import { RunTriggerModal } from "./RunTriggerModal";
import { TriggerCredentialsModal } from "./TriggerCredentialsModal";
import { TriggerWizard } from "./TriggerWizard";

function TaggingOptions({ t }: { t: BuildTrigger }) {
  const options = [
    ...(t.defaultTagFromRef ? ["Branch/tag name"] : []),
    ...(t.latestForDefaultBranch ? ["latest if default branch"] : []),
  ];
  if (!options.length && !t.tagTemplates.length) return <>(None)</>;
  return (
    <LabelGroup numLabels={6} aria-label={`Tagging options of ${triggerName(t)}`}>
      {options.map((o) => (
        <Label key={o} isCompact color="grey">
          {o}
        </Label>
      ))}
      {t.tagTemplates.map((tpl) => (
        <Label key={tpl} isCompact color="blue">
          {tpl}
        </Label>
      ))}
    </LabelGroup>
  );
}

export function BuildTriggers({
  namespace,
  name,
  onBuildStarted,
}: {
  namespace: string;
  name: string;
  onBuildStarted: () => void;
}) {
  const repository = `${namespace}/${name}`;
  const { result, refetch } = useBuildTriggers(repository);
  const m = useBuildTriggerMutations(repository);
  const { error, run } = useAction(refetch);
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);
  const [credentials, setCredentials] = useState<BuildTrigger | null>(null);
  const [running, setRunning] = useState<BuildTrigger | null>(null);
  const [deleting, setDeleting] = useState<BuildTrigger | null>(null);
  return (
    <section aria-label="Build triggers" style={{ marginTop: "2rem" }}>
      <Title headingLevel="h2" size="lg">
        Build triggers
      </Title>
      <Content component="p">
        Triggers start a build when a source repository is pushed to, or when run by hand.
      </Content>
      <Toolbar>
        <ToolbarContent>
          <ToolbarItem>
            <Button variant="secondary" onClick={() => setCreating(true)}>
              Create build trigger
            </Button>
          </ToolbarItem>
        </ToolbarContent>
      </Toolbar>
      <ErrorAlert error={error} title="The trigger was not changed" />
      <QueryState result={result} errorTitle="Could not load the build triggers">
        {({ buildTriggers }) =>
          buildTriggers.length === 0 ? (
            <EmptyView title="No build triggers">
              No build triggers have been set up for this repository.
            </EmptyView>
          ) : (
            <Table aria-label="Build triggers" variant="compact">
              <Thead>
                <Tr>
                  <Th modifier="wrap" width={30}>
                    Trigger name
                  </Th>
                  <Th modifier="wrap">Dockerfile location</Th>
                  <Th modifier="wrap">Context location</Th>
                  <Th modifier="wrap">Branches/tags</Th>
                  <Th modifier="wrap">Pull robot</Th>
                  <Th modifier="wrap">Tagging options</Th>
                  <Th screenReaderText="Actions" />
                </Tr>
              </Thead>
              <Tbody>
                {buildTriggers.map((t) => {
                  const label = triggerName(t);
                  return (
                    <Tr key={t.id}>
                      <Td dataLabel="Trigger name" modifier="breakWord">
                        {label}{" "}
                        {!t.active && (
                          <Label isCompact color="grey">
                            Not set up
                          </Label>
                        )}
                        {!t.enabled && (
                          <Label isCompact status="warning" icon={<ExclamationTriangleIcon />}>
                            {disabledReason(t.disabledReason)}
                          </Label>
                        )}
                      </Td>
                      <Td dataLabel="Dockerfile location">{t.dockerfilePath}</Td>
                      <Td dataLabel="Context location">{t.context}</Td>
                      <Td dataLabel="Branches/tags">
                        {t.branchtagRegex ? <code>{t.branchtagRegex}</code> : "All"}
                      </Td>
                      <Td dataLabel="Pull robot">{t.pullRobot ?? "(None)"}</Td>
                      <Td dataLabel="Tagging options">
                        <TaggingOptions t={t} />
                      </Td>
                      <Td isActionCell>
                        <RowActions
                          label={`Actions for trigger ${label}`}
                          items={[
                            { title: "View credentials", onClick: () => setCredentials(t) },
                            {
                              title: "Run trigger now",
                              isDisabled: !t.enabled || !t.active,
                              onClick: () => setRunning(t),
                            },
                            {
                              title: t.enabled ? "Disable trigger" : "Enable trigger",
                              onClick: () => run(() => m.setEnabled(t.id, !t.enabled)),
                            },
                            { isSeparator: true },
                            { title: "Delete trigger", isDanger: true, onClick: () => setDeleting(t) },
                          ]}
                        />
                      </Td>
                    </Tr>
                  );
                })}
              </Tbody>
            </Table>
          )
        }
      </QueryState>
      <TriggerWizard
        namespace={namespace}
        repository={repository}
        isOpen={creating}
        onClose={() => {
          setCreating(false);
          refetch();
        }}
      />
      <TriggerCredentialsModal trigger={credentials} onClose={() => setCredentials(null)} />
      <RunTriggerModal
        repository={repository}
        trigger={running}
        onClose={() => setRunning(null)}
        onStarted={(b) => {
          onBuildStarted();
          navigate(links.build(namespace, name, b.id));
        }}
      />
      <FormModal
        title="Delete build trigger"
        submitLabel="Delete"
        danger
        isOpen={!!deleting}
        onClose={() => setDeleting(null)}
        onSubmit={async () => {
          await m.remove(deleting!.id);
          refetch();
        }}
      >
        <p>
          Delete the trigger <strong>{deleting ? triggerName(deleting) : ""}</strong>? Pushes to its source no
          longer start builds; builds it started are kept.
        </p>
      </FormModal>
    </section>
  );
}
