import { useState } from "react";
import {
  Breadcrumb,
  BreadcrumbItem,
  Button,
  Card,
  CardBody,
  CardTitle,
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  Flex,
  Label,
  LabelGroup,
  PageBreadcrumb,
  PageSection,
  Title,
} from "@patternfly/react-core";
import { Link } from "react-router-dom";
import { CopyField } from "../../components/CopyField";
import { QueryState } from "../../components/States";
import { Time } from "../../components/Time";
import { viewerCanWrite } from "../../hooks/repositories";
import { formatSize, useTagDetails } from "../../hooks/tags";
import { errorCode, errorMessage } from "../../api/errors";
import { NotFound } from "../NotFound/NotFound";
import { links, RoutePath } from "../paths";
import { FetchTagModal } from "../Repository/Tags/FetchTagModal";
import { LabelsModal } from "../Repository/Tags/LabelsModal";

export function TagDetails({ namespace, name, tag }: { namespace: string; name: string; tag: string }) {
  const { result, refetch } = useTagDetails(namespace, name, tag);
  const [fetching, setFetching] = useState(false);
  const [labelling, setLabelling] = useState(false);
  if (errorCode(result.error) === "NOT_FOUND")
    return <NotFound what="tag" message={errorMessage(result.error)} />;
  return (
    <>
      <PageBreadcrumb>
        <Breadcrumb>
          <BreadcrumbItem render={() => <Link to={RoutePath.Repositories}>Repositories</Link>} />
          <BreadcrumbItem
            render={() => (
              <Link to={links.repository(namespace, name, "tags")}>{`${namespace}/${name}`}</Link>
            )}
          />
          <BreadcrumbItem isActive>{tag}</BreadcrumbItem>
        </Breadcrumb>
      </PageBreadcrumb>
      <QueryState result={result} errorTitle="Could not load the tag">
        {({ repository: r }) => {
          const t = r.tag;
          const canWrite = viewerCanWrite(r);
          return (
            <>
              <PageSection>
                <Flex alignItems={{ default: "alignItemsCenter" }}>
                  <Title headingLevel="h1">
                    {r.fullName}:{t.name}
                  </Title>
                  <Button variant="primary" onClick={() => setFetching(true)}>
                    Fetch tag
                  </Button>
                </Flex>
              </PageSection>
              <PageSection>
                <Card>
                  <CardTitle>Details</CardTitle>
                  <CardBody>
                    <DescriptionList isHorizontal columnModifier={{ lg: "2Col" }}>
                      <DescriptionListGroup>
                        <DescriptionListTerm>Name</DescriptionListTerm>
                        <DescriptionListDescription>{t.name}</DescriptionListDescription>
                      </DescriptionListGroup>
                      <DescriptionListGroup>
                        <DescriptionListTerm>Repository</DescriptionListTerm>
                        <DescriptionListDescription>{t.repository}</DescriptionListDescription>
                      </DescriptionListGroup>
                      <DescriptionListGroup>
                        <DescriptionListTerm>Digest</DescriptionListTerm>
                        <DescriptionListDescription>
                          <CopyField value={t.manifestDigest} label="Manifest digest" />
                        </DescriptionListDescription>
                      </DescriptionListGroup>
                      <DescriptionListGroup>
                        <DescriptionListTerm>Media type</DescriptionListTerm>
                        <DescriptionListDescription>{t.mediaType}</DescriptionListDescription>
                      </DescriptionListGroup>
                      <DescriptionListGroup>
                        <DescriptionListTerm>Size</DescriptionListTerm>
                        <DescriptionListDescription>{formatSize(t.size)}</DescriptionListDescription>
                      </DescriptionListGroup>
                      <DescriptionListGroup>
                        <DescriptionListTerm>Created</DescriptionListTerm>
                        <DescriptionListDescription>
                          <Time value={t.createdAt} />
                        </DescriptionListDescription>
                      </DescriptionListGroup>
                      <DescriptionListGroup>
                        <DescriptionListTerm>Modified</DescriptionListTerm>
                        <DescriptionListDescription>
                          <Time value={t.lastModified} />
                        </DescriptionListDescription>
                      </DescriptionListGroup>
                      <DescriptionListGroup>
                        <DescriptionListTerm>Expires</DescriptionListTerm>
                        <DescriptionListDescription>
                          <Time value={t.expiration} empty="Never" />
                        </DescriptionListDescription>
                      </DescriptionListGroup>
                      {t.isManifestList && (
                        <DescriptionListGroup>
                          <DescriptionListTerm>Platforms</DescriptionListTerm>
                          <DescriptionListDescription>
                            {t.children
                              .map((c) =>
                                [c.platform?.os, c.platform?.architecture, c.platform?.variant]
                                  .filter(Boolean)
                                  .join("/"),
                              )
                              .join(", ")}
                          </DescriptionListDescription>
                        </DescriptionListGroup>
                      )}
                      <DescriptionListGroup>
                        <DescriptionListTerm>Labels</DescriptionListTerm>
                        <DescriptionListDescription>
                          <LabelGroup numLabels={10}>
                            {t.labels.map((l) => (
                              <Label key={l.id} isCompact color={l.source === "api" ? "blue" : "grey"}>
                                {l.key}={l.value}
                              </Label>
                            ))}
                          </LabelGroup>
                          {canWrite && (
                            <Button variant="link" isInline onClick={() => setLabelling(true)}>
                              Edit labels
                            </Button>
                          )}
                        </DescriptionListDescription>
                      </DescriptionListGroup>
                    </DescriptionList>
                  </CardBody>
                </Card>
              </PageSection>
              <FetchTagModal tag={fetching ? t : null} onClose={() => setFetching(false)} />
              <LabelsModal
                namespace={namespace}
                repository={name}
                tag={labelling ? t : null}
                onClose={() => setLabelling(false)}
                onChanged={refetch}
              />
            </>
          );
        }}
      </QueryState>
    </>
  );
}
