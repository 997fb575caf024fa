// "Create build trigger" (seed 001 ch. 8 and §10.2) as a wizard: the source (a custom git repository, or a
// GitHub, GitLab or Bitbucket repository whose push webhook is set up by hand with the secret shown), the
// branches and tags, tagging, the Dockerfile and context, an optional pull robot; its "Create trigger"
// creates the trigger with that configuration (set up at once), and the last step shows what the git server
// needs: the deploy key and the webhook URL.
import { useState } from "react";
import { Form, useWizardContext, WizardFooter, WizardStep } from "@patternfly/react-core";
import { ErrorAlert } from "../../../components/States";
import { WizardModal } from "../../../components/WizardModal";
import { useBuildTriggerMutations, type BuildTrigger } from "../../../hooks/builds";
import { PullRobotSelect } from "./PullRobotSelect";
import { TriggerCredentials } from "./TriggerCredentialsModal";
import {
  BranchesStep,
  LocationStep,
  regexProblem,
  SourceStep,
  sourceProblem,
  TaggingStep,
  type Tagging,
  type TriggerServiceId,
} from "./TriggerWizardSteps";

/** The robot step's footer: "Create trigger" creates it, and only then goes on to its credentials. */
function CreateFooter({ busy, create }: { busy: boolean; create: () => Promise<boolean> }) {
  const { activeStep, goToNextStep, goToPrevStep, close } = useWizardContext();
  return (
    <WizardFooter
      activeStep={activeStep}
      nextButtonText="Create trigger"
      isNextDisabled={busy}
      nextButtonProps={{ isLoading: busy }}
      onNext={async () => {
        if (await create()) goToNextStep();
      }}
      onBack={goToPrevStep}
      onClose={close}
    />
  );
}

const INITIAL_TAGGING: Tagging = { defaultTagFromRef: true, latestForDefaultBranch: true, tagTemplates: [] };

export function TriggerWizard({
  namespace,
  repository,
  isOpen,
  onClose,
}: {
  namespace: string;
  /** namespace/name */
  repository: string;
  isOpen: boolean;
  /** Also after the trigger was created (the list is asked again). */
  onClose: () => void;
}) {
  const m = useBuildTriggerMutations(repository);
  const [service, setService] = useState<TriggerServiceId>("custom-git");
  const [url, setUrl] = useState("");
  const [regex, setRegex] = useState<string | null>(null);
  const [tagging, setTagging] = useState<Tagging>(INITIAL_TAGGING);
  const [location, setLocation] = useState({ dockerfilePath: "/Dockerfile", context: "/" });
  const [pullRobot, setPullRobot] = useState("");
  const [created, setCreated] = useState<BuildTrigger | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const reset = () => {
    setService("custom-git");
    setUrl("");
    setRegex(null);
    setTagging(INITIAL_TAGGING);
    setLocation({ dockerfilePath: "/Dockerfile", context: "/" });
    setPullRobot("");
    setCreated(null);
    setBusy(false);
    setError(null);
  };

  /** Creates the trigger once; true when it exists. */
  const create = async (): Promise<boolean> => {
    if (created) return true;
    setBusy(true);
    setError(null);
    try {
      const t = await m.create(
        service,
        {
          buildSource: url.trim(),
          branchtagRegex: regex?.trim() || null,
          defaultTagFromRef: tagging.defaultTagFromRef,
          latestForDefaultBranch: tagging.latestForDefaultBranch,
          tagTemplates: tagging.tagTemplates,
          dockerfilePath: location.dockerfilePath.trim() || "/Dockerfile",
          context: location.context.trim() || "/",
        },
        pullRobot || null,
      );
      setCreated(t);
      return true;
    } catch (e) {
      setError((e as Error).message);
      return false;
    } finally {
      setBusy(false);
    }
  };

  const locked = !!created;
  return (
    <WizardModal
      title="Set up build trigger"
      isOpen={isOpen}
      onClose={() => {
        reset();
        onClose();
      }}
      onSave={async () => undefined}
    >
      <WizardStep
        name="Source"
        id="trigger-source"
        isDisabled={locked}
        footer={{ isNextDisabled: !!sourceProblem(service, url.trim()) }}
      >
        <SourceStep service={service} onService={setService} url={url} onChange={setUrl} />
      </WizardStep>
      <WizardStep
        name="Branches and tags"
        id="trigger-branches-step"
        isDisabled={locked}
        footer={{ isNextDisabled: regex !== null && !!regexProblem(regex) }}
      >
        <BranchesStep regex={regex} onChange={setRegex} />
      </WizardStep>
      <WizardStep name="Tagging" id="trigger-tagging-step" isDisabled={locked}>
        <TaggingStep value={tagging} onChange={setTagging} />
      </WizardStep>
      <WizardStep
        name="Dockerfile and context"
        id="trigger-location"
        isDisabled={locked}
        footer={{ isNextDisabled: !location.dockerfilePath.trim() || !location.context.trim() }}
      >
        <LocationStep
          dockerfilePath={location.dockerfilePath}
          context={location.context}
          onChange={setLocation}
        />
      </WizardStep>
      <WizardStep
        name="Pull robot"
        id="trigger-robot"
        isDisabled={locked}
        footer={<CreateFooter busy={busy} create={create} />}
      >
        <ErrorAlert error={error} title="The trigger was not created" />
        <Form onSubmit={(e) => e.preventDefault()}>
          <PullRobotSelect
            id="trigger-pull-robot"
            namespace={namespace}
            value={pullRobot}
            onChange={setPullRobot}
          />
        </Form>
      </WizardStep>
      <WizardStep
        name="Trigger credentials"
        id="trigger-credentials"
        footer={{
          nextButtonText: "Done",
          isBackHidden: true,
          isCancelHidden: true,
          isNextDisabled: !created,
        }}
      >
        {created ? (
          <TriggerCredentials trigger={created} />
        ) : (
          <p>The trigger&apos;s credentials are shown here once it is created (the previous step).</p>
        )}
      </WizardStep>
    </WizardModal>
  );
}
