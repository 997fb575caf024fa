// One tag: its details and fetch commands; with security scanning on, also the Security Report and Packages
// tabs (for an index, of the child manifest picked by platform).
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
  FormSelect,
  FormSelectOption,
  Label,
  LabelGroup,
  PageBreadcrumb,
  PageSection,
  Tab,
  TabTitleText,
  Tabs,
  Title,
} from "@patternfly/react-core";
import { Link, useSearchParams } from "react-router-dom";
import { CopyField } from "../../components/CopyField";
import { QueryState } from "../../components/States";
import { Time } from "../../components/Time";
import { viewerCanWrite } from "../../hooks/repositories";
import { usePolling } from "../../hooks/security";
import { formatSize, shortDigest, useTagDetails, type TagDetails as Tag } from "../../hooks/tags";
import { errorCode, errorMessage } from "../../api/errors";
import { NotFound } from "../NotFound/NotFound";
import { links, RoutePath } from "../paths";
import { platformOf } from "../Repository/Tags/ChildManifests";
import { FetchTagModal } from "../Repository/Tags/FetchTagModal";
import { LabelsModal } from "../Repository/Tags/LabelsModal";
import { SecurityCell } from "../Repository/Tags/SecurityCell";
import { PackagesTab } from "./PackagesTab";
import { SecurityReport } from "./SecurityReport";

const TABS = ["details", "securityreport", "packages"];

/** An index's child manifests by platform: the reports are each child's own. */
function ChildPicker({
  tag,
  digest,
  onPick,
}: {
  tag: Tag;
  digest: string;
  onPick: (digest: string) => void;
}) {
  return (
    <FormSelect
      aria-label="Child manifest"
      value={digest}
      onChange={(_e, v) => onPick(v)}
      style={{ maxWidth: 360, marginBottom: 16 }}
    >
      {tag.children.map((c) => (
        <FormSelectOption
          key={c.digest}
          value={c.digest}
          label={`${platformOf(c.platform)} (${shortDigest(c.digest)})`}
        />
      ))}
    </FormSelect>
  );
}

export function TagDetails({ namespace, name, tag }: { namespace: string; name: string; tag: string }) {
  const { result, refetch } = useTagDetails(namespace, name, tag);
  const [fetching, setFetching] = useState(false);
  const [labelling, setLabelling] = useState(false);
  const [params, setParams] = useSearchParams();
  // The Details tab's Security summary turns from Queued into the result without a reload.
  const shown = result.data?.repository.tag;
  usePolling(
    !!shown && [shown.security, ...shown.children.map((c) => c.security)].some((s) => s?.status === "queued"),
    refetch,
  );
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
          // The summary is null exactly when security scanning is off: then the page is its details only.
          const scanning = t.security != null;
          const asked = params.get("tab") ?? "details";
          const tab = scanning && TABS.includes(asked) ? asked : "details";
          const wanted = params.get("digest");
          const digest = t.isManifestList
            ? (t.children.find((c) => c.digest === wanted) ?? t.children[0])?.digest
            : t.manifestDigest;
          const go = (next: { tab: string; digest?: string | null }) =>
            setParams(
              Object.fromEntries(Object.entries(next).filter(([, v]) => v)) as Record<string, string>,
              { replace: true },
            );
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
              {scanning && (
                <PageSection type="tabs">
                  <Tabs
                    activeKey={tab}
                    onSelect={(_e, key) => go({ tab: String(key), digest: wanted })}
                    aria-label="Tag sections"
                    usePageInsets
                  >
                    <Tab eventKey="details" title={<TabTitleText>Details</TabTitleText>} />
                    <Tab eventKey="securityreport" title={<TabTitleText>Security Report</TabTitleText>} />
                    <Tab eventKey="packages" title={<TabTitleText>Packages</TabTitleText>} />
                  </Tabs>
                </PageSection>
              )}
              {tab !== "details" && (
                <PageSection>
                  {t.isManifestList && digest && (
                    <ChildPicker tag={t} digest={digest} onPick={(d) => go({ tab, digest: d })} />
                  )}
                  {!digest ? (
                    "This index has no manifests."
                  ) : tab === "securityreport" ? (
                    <SecurityReport key={digest} namespace={namespace} name={name} digest={digest} />
                  ) : (
                    <PackagesTab key={digest} namespace={namespace} name={name} digest={digest} />
                  )}
                </PageSection>
              )}
              {tab === "details" && (
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
                        {scanning && (
                          <DescriptionListGroup>
                            <DescriptionListTerm>Security</DescriptionListTerm>
                            <DescriptionListDescription>
                              <SecurityCell
                                summary={t.security}
                                to={links.tag(namespace, name, t.name, { tab: "securityreport" })}
                                onShowChildren={
                                  t.isManifestList ? () => go({ tab: "securityreport" }) : undefined
                                }
                              />
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
              )}
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
