// The forms of the trigger wizard's steps (seed 001 ch. 8 and §10.2): the source, which branches and tags
// start a build, how the image is tagged, and where the Dockerfile and the context are.
import { useState } from "react";
import {
  Button,
  Checkbox,
  Content,
  Form,
  FormGroup,
  FormHelperText,
  HelperText,
  HelperTextItem,
  InputGroup,
  InputGroupItem,
  Label,
  LabelGroup,
  Radio,
  TextInput,
} from "@patternfly/react-core";

const noSubmit = (e: React.FormEvent) => e.preventDefault();

function Help({ children, error }: { children: React.ReactNode; error?: boolean }) {
  return (
    <FormHelperText>
      <HelperText>
        <HelperTextItem variant={error ? "error" : "default"}>{children}</HelperTextItem>
      </HelperText>
    </FormHelperText>
  );
}

/** What git may clone (the server's rule): ssh://, git+ssh://, git://, https:// with a path, or user@host:path. */
export function gitUrlProblem(v: string): string | null {
  if (!v) return "Enter the git URL of the repository.";
  if (/\s/.test(v) || v.startsWith("-")) return "The URL must not contain spaces or start with '-'.";
  if (/^[A-Za-z0-9._~-]+@[A-Za-z0-9.-]+:(?!\/\/)[^\\]+$/.test(v)) return null;
  try {
    const u = new URL(v);
    if (!["ssh:", "git+ssh:", "git:", "https:"].includes(u.protocol))
      return `The scheme ${u.protocol} is not allowed (ssh, git+ssh, git, https).`;
    if (!u.hostname || u.pathname === "/" || u.pathname === "") return "Name a host and a repository path.";
    return null;
  } catch {
    return "Use an ssh://, git://, https:// URL or user@host:path.";
  }
}

export function regexProblem(v: string): string | null {
  if (!v) return "Enter a regular expression.";
  try {
    new RegExp(v);
    return null;
  } catch (e) {
    return `Not a valid regular expression: ${(e as Error).message}`;
  }
}

/** The sources a trigger can follow: any git server, or a hosted service's push webhooks. */
export const TRIGGER_SERVICES = [
  {
    id: "custom-git",
    title: "Custom Git Repository Push",
    description: "Any git server: a deploy key to clone with and a webhook it POSTs pushes to.",
  },
  {
    id: "github",
    title: "GitHub Repository Push",
    description: "GitHub or GitHub Enterprise: add the deploy key and a push webhook with the secret shown.",
  },
  {
    id: "gitlab",
    title: "GitLab Repository Push",
    description: "GitLab: add the deploy key and a push webhook whose secret token is the secret shown.",
  },
  {
    id: "bitbucket",
    title: "Bitbucket Repository Push",
    description: "Bitbucket: add the access key and a push webhook with the secret shown.",
  },
] as const;
export type TriggerServiceId = (typeof TRIGGER_SERVICES)[number]["id"];

/** A hosted service's repository, "owner/name" (GitLab groups may nest). */
export function hostedRepoProblem(v: string): string | null {
  if (!v) return "Enter the repository as owner/name.";
  return /^[\w.-]+(\/[\w.-]+)+$/.test(v) ? null : "Name the repository as owner/name.";
}

export const sourceProblem = (service: TriggerServiceId, v: string) =>
  service === "custom-git" ? gitUrlProblem(v) : hostedRepoProblem(v);

export function SourceStep({
  service,
  onService,
  url,
  onChange,
}: {
  service: TriggerServiceId;
  onService: (s: TriggerServiceId) => void;
  url: string;
  onChange: (v: string) => void;
}) {
  const problem = url ? sourceProblem(service, url.trim()) : null;
  const custom = service === "custom-git";
  return (
    <Form onSubmit={noSubmit}>
      <FormGroup role="radiogroup" label="Trigger type" fieldId="trigger-service">
        {TRIGGER_SERVICES.map((s) => (
          <Radio
            key={s.id}
            id={`trigger-service-${s.id}`}
            name="trigger-service"
            label={s.title}
            description={s.description}
            isChecked={service === s.id}
            onChange={() => onService(s.id)}
          />
        ))}
      </FormGroup>
      <FormGroup label={custom ? "Repository URL" : "Repository"} isRequired fieldId="trigger-git-url">
        <TextInput
          id="trigger-git-url"
          aria-label={custom ? "Repository URL" : "Repository"}
          value={url}
          placeholder={custom ? "git@example.com:team/app.git" : "team/app"}
          onChange={(_e, v) => onChange(v)}
          validated={problem ? "error" : "default"}
          autoComplete="off"
        />
        <Help error={!!problem}>
          {problem ??
            (custom
              ? "The URL the builders clone: ssh://git@host:2222/repo.git, git@host:repo.git or https://."
              : "The repository on the service, as owner/name; the builders clone it over SSH with the deploy key.")}
        </Help>
      </FormGroup>
    </Form>
  );
}

export function BranchesStep({
  regex,
  onChange,
}: {
  /** null: every branch and tag. */
  regex: string | null;
  onChange: (v: string | null) => void;
}) {
  const problem = regex !== null && regex !== "" ? regexProblem(regex) : null;
  return (
    <Form onSubmit={noSubmit}>
      <FormGroup role="radiogroup" label="Configure trigger" fieldId="trigger-branches">
        <Radio
          id="trigger-branches-all"
          name="trigger-branches"
          label="Trigger for all branches and tags"
          isChecked={regex === null}
          onChange={() => onChange(null)}
        />
        <Radio
          id="trigger-branches-regex"
          name="trigger-branches"
          label="Trigger only on branches and tags matching a regular expression"
          isChecked={regex !== null}
          onChange={() => onChange(regex ?? "")}
        />
      </FormGroup>
      {regex !== null && (
        <FormGroup label="Branch and tag regular expression" isRequired fieldId="trigger-regex">
          <TextInput
            id="trigger-regex"
            aria-label="Branch and tag regular expression"
            value={regex}
            placeholder="heads/(main|release-.*)"
            onChange={(_e, v) => onChange(v)}
            validated={problem ? "error" : "default"}
          />
          <Help error={!!problem}>
            {problem ??
              'Matched against the ref without "refs/": heads/main for a branch, tags/v1 for a tag.'}
          </Help>
        </FormGroup>
      )}
    </Form>
  );
}

export interface Tagging {
  defaultTagFromRef: boolean;
  latestForDefaultBranch: boolean;
  tagTemplates: string[];
}

export function TaggingStep({ value, onChange }: { value: Tagging; onChange: (v: Tagging) => void }) {
  const [template, setTemplate] = useState("");
  const add = () => {
    const t = template.trim();
    if (t && !value.tagTemplates.includes(t))
      onChange({ ...value, tagTemplates: [...value.tagTemplates, t] });
    setTemplate("");
  };
  return (
    <Form onSubmit={noSubmit}>
      <FormGroup label="Confirm basic tagging options" fieldId="trigger-tagging" role="group">
        <Checkbox
          id="trigger-tag-ref"
          label="Tag manifest with the branch or tag name"
          description="Tags the built manifest the name of the branch or tag for the git commit."
          isChecked={value.defaultTagFromRef}
          onChange={(_e, on) => onChange({ ...value, defaultTagFromRef: on })}
        />
        <Checkbox
          id="trigger-tag-latest"
          label="Add latest tag if on default branch"
          description="Tags the built manifest with latest if the build occurred on the default branch for the repository."
          isChecked={value.latestForDefaultBranch}
          onChange={(_e, on) => onChange({ ...value, latestForDefaultBranch: on })}
        />
      </FormGroup>
      <FormGroup label="Add custom tagging templates" fieldId="trigger-template">
        {value.tagTemplates.length > 0 && (
          <LabelGroup aria-label="Tag templates" numLabels={10}>
            {value.tagTemplates.map((t) => (
              <Label
                key={t}
                color="blue"
                closeBtnAriaLabel={`Remove tag template ${t}`}
                onClose={() =>
                  onChange({ ...value, tagTemplates: value.tagTemplates.filter((x) => x !== t) })
                }
              >
                {t}
              </Label>
            ))}
          </LabelGroup>
        )}
        <InputGroup>
          <InputGroupItem isFill>
            <TextInput
              id="trigger-template"
              aria-label="Enter a tag template"
              placeholder="Enter a tag template"
              value={template}
              onChange={(_e, v) => setTemplate(v)}
              onKeyDown={(e) => {
                if (e.key === "Enter") {
                  e.preventDefault();
                  add();
                }
              }}
            />
          </InputGroupItem>
          <InputGroupItem>
            <Button variant="control" onClick={add} isDisabled={!template.trim()}>
              Add template
            </Button>
          </InputGroupItem>
        </InputGroup>
        <Help>
          For example <code>{"${commit_info.short_sha}"}</code> tags every built manifest with the
          commit&apos;s short SHA, <code>{"${parsed_ref.branch}"}</code> with the branch name. Also:{" "}
          <code>{"${commit_info.date}"}</code>, <code>{"${commit_info.author}"}</code>,{" "}
          <code>{"${commit_info.committer}"}</code>.
        </Help>
      </FormGroup>
      <Content component="small">
        By default, all built manifests will be tagged with the name of the branch or tag in which the commit
        occurred.
      </Content>
    </Form>
  );
}

export function LocationStep({
  dockerfilePath,
  context,
  onChange,
}: {
  dockerfilePath: string;
  context: string;
  onChange: (v: { dockerfilePath: string; context: string }) => void;
}) {
  const outside =
    context.trim() !== "" &&
    context.trim() !== "/" &&
    !dockerfilePath.trim().startsWith(`${context.trim().replace(/\/$/, "")}/`);
  return (
    <Form onSubmit={noSubmit}>
      <FormGroup label="Dockerfile path" isRequired fieldId="trigger-dockerfile">
        <TextInput
          id="trigger-dockerfile"
          aria-label="Dockerfile path"
          value={dockerfilePath}
          onChange={(_e, v) => onChange({ dockerfilePath: v, context })}
        />
        <Help>The path of the Dockerfile from the root of the git repository, e.g. /Dockerfile.</Help>
      </FormGroup>
      <FormGroup label="Context" isRequired fieldId="trigger-context">
        <TextInput
          id="trigger-context"
          aria-label="Context"
          value={context}
          onChange={(_e, v) => onChange({ dockerfilePath, context: v })}
        />
        <Help error={outside}>
          {outside
            ? "The Dockerfile must be inside the context."
            : "The directory the build runs in; enter / if the Dockerfile is in the root of the git repository."}
        </Help>
      </FormGroup>
    </Form>
  );
}
