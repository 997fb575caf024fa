// "Start new build" (seed 001 §7.2): an uploaded Dockerfile, .tar.gz, .tgz, .tar or .zip, or an HTTP URL to
// one; the tags to push (latest by default), the context and Dockerfile path inside the source, and an
// optional pull robot. An upload goes through Quay's filedrop: a slot, the PUT, then the build.
import { useState } from "react";
import {
  FormGroup,
  FormHelperText,
  HelperText,
  HelperTextItem,
  Radio,
  TextInput,
} from "@patternfly/react-core";
import { FormModal } from "../../../components/FormModal";
import { useBuildMutations, type Build } from "../../../hooks/builds";
import { PullRobotSelect } from "./PullRobotSelect";

const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** "latest, v1 v2" → ["latest", "v1", "v2"]. */
export const splitTags = (s: string) => [...new Set(s.split(/[\s,]+/).filter(Boolean))];

export function StartBuildModal({
  namespace,
  repository,
  isOpen,
  onClose,
  onStarted,
}: {
  namespace: string;
  /** namespace/name */
  repository: string;
  isOpen: boolean;
  onClose: () => void;
  onStarted: (build: Build) => void;
}) {
  const m = useBuildMutations(repository);
  const [source, setSource] = useState<"upload" | "url">("upload");
  const [file, setFile] = useState<File | null>(null);
  const [url, setUrl] = useState("");
  const [tags, setTags] = useState("latest");
  const [context, setContext] = useState("/");
  const [dockerfilePath, setDockerfilePath] = useState("");
  const [pullRobot, setPullRobot] = useState("");
  const reset = () => {
    setSource("upload");
    setFile(null);
    setUrl("");
    setTags("latest");
    setContext("/");
    setDockerfilePath("");
    setPullRobot("");
  };
  const tagList = splitTags(tags);
  const badTags = tagList.filter((t) => !TAG_RE.test(t));
  const urlOk = /^https?:\/\/\S+$/i.test(url.trim());
  const canSubmit = (source === "upload" ? !!file : urlOk) && tagList.length > 0 && badTags.length === 0;
  return (
    <FormModal
      title="Start new build"
      submitLabel="Start build"
      variant="medium"
      isOpen={isOpen}
      onClose={() => {
        reset();
        onClose();
      }}
      canSubmit={canSubmit}
      description="Build a Dockerfile, or an archive holding one, and push the image to this repository."
      onSubmit={async () => {
        const options = {
          tags: tagList,
          context: context.trim() || "/",
          dockerfilePath: dockerfilePath.trim() || null,
          pullRobot: pullRobot || null,
        };
        const build =
          source === "upload"
            ? await m.startFromFile(file!, options)
            : await m.startFromUrl(url.trim(), options);
        reset();
        onStarted(build);
      }}
    >
      <FormGroup role="radiogroup" isInline fieldId="build-source" label="Build source">
        <Radio
          id="build-source-upload"
          name="build-source"
          label="Upload a file"
          isChecked={source === "upload"}
          onChange={() => setSource("upload")}
        />
        <Radio
          id="build-source-url"
          name="build-source"
          label="From a URL"
          isChecked={source === "url"}
          onChange={() => setSource("url")}
        />
      </FormGroup>
      {source === "upload" ? (
        <FormGroup label="Dockerfile or archive" isRequired fieldId="build-file">
          <input
            id="build-file"
            type="file"
            aria-label="Dockerfile or archive"
            onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
          />
          <FormHelperText>
            <HelperText>
              <HelperTextItem>
                A Dockerfile, or a .tar.gz, .tgz, .tar or .zip archive of the build context holding one.
              </HelperTextItem>
            </HelperText>
          </FormHelperText>
        </FormGroup>
      ) : (
        <FormGroup label="Archive URL" isRequired fieldId="build-url">
          <TextInput
            id="build-url"
            aria-label="Archive URL"
            type="url"
            value={url}
            placeholder="https://example.com/context.tar.gz"
            onChange={(_e, v) => setUrl(v)}
          />
          <FormHelperText>
            <HelperText>
              <HelperTextItem variant={url && !urlOk ? "error" : "default"}>
                An HTTP or HTTPS URL of a Dockerfile or an archive the build downloads.
              </HelperTextItem>
            </HelperText>
          </FormHelperText>
        </FormGroup>
      )}
      <FormGroup label="Tags" isRequired fieldId="build-tags">
        <TextInput id="build-tags" aria-label="Tags" value={tags} onChange={(_e, v) => setTags(v)} />
        <FormHelperText>
          <HelperText>
            <HelperTextItem variant={badTags.length ? "error" : "default"}>
              {badTags.length
                ? `Not a valid tag: ${badTags.join(", ")}`
                : "Separated by commas or spaces; the image is pushed with each of them."}
            </HelperTextItem>
          </HelperText>
        </FormHelperText>
      </FormGroup>
      <FormGroup label="Context" fieldId="build-context">
        <TextInput
          id="build-context"
          aria-label="Context"
          value={context}
          onChange={(_e, v) => setContext(v)}
        />
        <FormHelperText>
          <HelperText>
            <HelperTextItem>The directory inside the source the build runs in.</HelperTextItem>
          </HelperText>
        </FormHelperText>
      </FormGroup>
      <FormGroup label="Dockerfile path" fieldId="build-dockerfile">
        <TextInput
          id="build-dockerfile"
          aria-label="Dockerfile path"
          value={dockerfilePath}
          placeholder={`${context.replace(/\/$/, "")}/Dockerfile`}
          onChange={(_e, v) => setDockerfilePath(v)}
        />
      </FormGroup>
      <PullRobotSelect
        id="build-pull-robot"
        namespace={namespace}
        value={pullRobot}
        onChange={setPullRobot}
      />
    </FormModal>
  );
}
