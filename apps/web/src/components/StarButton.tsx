import { useState } from "react";
import { Button } from "@patternfly/react-core";
import { OutlinedStarIcon, StarIcon } from "@patternfly/react-icons";
import { useRepositoryMutations } from "../hooks/repositories";

export function StarButton({
  namespace,
  name,
  isStarred,
  onError,
}: {
  namespace: string;
  name: string;
  isStarred: boolean;
  onError?: (message: string) => void;
}) {
  const { setStar } = useRepositoryMutations();
  const [busy, setBusy] = useState(false);
  return (
    <Button
      variant="plain"
      isDisabled={busy}
      aria-pressed={isStarred}
      aria-label={isStarred ? `Unstar ${namespace}/${name}` : `Star ${namespace}/${name}`}
      onClick={async () => {
        setBusy(true);
        try {
          await setStar(namespace, name, !isStarred);
        } catch (e) {
          onError?.((e as Error).message);
        } finally {
          setBusy(false);
        }
      }}
      icon={
        isStarred ? (
          <StarIcon color="var(--pf-t--global--icon--color--status--warning--default)" />
        ) : (
          <OutlinedStarIcon />
        )
      }
    />
  );
}
