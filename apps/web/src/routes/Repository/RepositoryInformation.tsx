import { useState } from "react";
import {
  Button,
  Card,
  CardBody,
  CardTitle,
  Content,
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  Form,
  FormGroup,
  Grid,
  GridItem,
  TextArea,
} from "@patternfly/react-core";
import { CopyField } from "../../components/CopyField";
import { ErrorAlert } from "../../components/States";
import { Time } from "../../components/Time";
import { useRepositoryMutations, viewerCanWrite, type RepositoryDetails } from "../../hooks/repositories";
import { useSystem } from "../../hooks/useSystem";

export function RepositoryInformation({ repository: repo }: { repository: RepositoryDetails }) {
  const { system } = useSystem();
  const { update } = useRepositoryMutations();
  const [editing, setEditing] = useState(false);
  const [description, setDescription] = useState(repo.description);
  const [error, setError] = useState<string | null>(null);
  const canWrite = viewerCanWrite(repo);
  const host = system?.serverHostname ?? location.host;
  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await update({ namespace: repo.namespace, name: repo.name, description });
      setEditing(false);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <Grid hasGutter>
      <GridItem md={8}>
        <Card>
          <CardTitle>Description</CardTitle>
          <CardBody>
            <ErrorAlert error={error} title="Could not save the description" />
            {editing ? (
              <Form onSubmit={save}>
                <FormGroup label="Description" fieldId="repo-description">
                  <TextArea
                    id="repo-description"
                    value={description}
                    onChange={(_e, v) => setDescription(v)}
                    rows={6}
                    resizeOrientation="vertical"
                  />
                </FormGroup>
                <div>
                  <Button type="submit" variant="primary">
                    Save description
                  </Button>{" "}
                  <Button variant="link" onClick={() => setEditing(false)}>
                    Cancel
                  </Button>
                </div>
              </Form>
            ) : (
              <>
                <Content component="p" style={{ whiteSpace: "pre-wrap" }} data-testid="repo-description">
                  {repo.description || "No description."}
                </Content>
                {canWrite && (
                  <Button
                    variant="secondary"
                    onClick={() => {
                      setDescription(repo.description);
                      setEditing(true);
                    }}
                  >
                    Edit description
                  </Button>
                )}
              </>
            )}
          </CardBody>
        </Card>
      </GridItem>
      <GridItem md={4}>
        <Card>
          <CardTitle>Pull this repository</CardTitle>
          <CardBody>
            <DescriptionList>
              <DescriptionListGroup>
                <DescriptionListTerm>Podman</DescriptionListTerm>
                <DescriptionListDescription>
                  <CopyField value={`podman pull ${host}/${repo.fullName}`} label="podman pull command" />
                </DescriptionListDescription>
              </DescriptionListGroup>
              <DescriptionListGroup>
                <DescriptionListTerm>Docker</DescriptionListTerm>
                <DescriptionListDescription>
                  <CopyField value={`docker pull ${host}/${repo.fullName}`} label="docker pull command" />
                </DescriptionListDescription>
              </DescriptionListGroup>
              <DescriptionListGroup>
                <DescriptionListTerm>Last modified</DescriptionListTerm>
                <DescriptionListDescription>
                  <Time value={repo.lastModified} empty="never pushed" />
                </DescriptionListDescription>
              </DescriptionListGroup>
              <DescriptionListGroup>
                <DescriptionListTerm>Stars</DescriptionListTerm>
                <DescriptionListDescription>{repo.starCount}</DescriptionListDescription>
              </DescriptionListGroup>
              <DescriptionListGroup>
                <DescriptionListTerm>Your permission</DescriptionListTerm>
                <DescriptionListDescription>{repo.viewerRole ?? "public read"}</DescriptionListDescription>
              </DescriptionListGroup>
            </DescriptionList>
          </CardBody>
        </Card>
      </GridItem>
    </Grid>
  );
}
