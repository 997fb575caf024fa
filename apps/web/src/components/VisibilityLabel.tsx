import { Label } from "@patternfly/react-core";
import { GlobeIcon, LockIcon } from "@patternfly/react-icons";

export function VisibilityLabel({ visibility }: { visibility: string }) {
  return visibility === "public" ? (
    <Label color="green" icon={<GlobeIcon />} isCompact>
      public
    </Label>
  ) : (
    <Label color="grey" icon={<LockIcon />} isCompact>
      private
    </Label>
  );
}
