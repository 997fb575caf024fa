// A read-only value with a copy button (commands, tokens, digests).
import { ClipboardCopy, ClipboardCopyVariant } from "@patternfly/react-core";

export function CopyField({
  value,
  label,
  multiline,
}: {
  value: string;
  label: string;
  multiline?: boolean;
}) {
  return (
    <ClipboardCopy
      isReadOnly
      hoverTip="Copy"
      clickTip="Copied"
      variant={multiline ? ClipboardCopyVariant.expansion : ClipboardCopyVariant.inline}
      isExpanded={multiline}
      isCode={multiline} // keeps the line breaks of YAML and JSON
      textAriaLabel={label}
      toggleAriaLabel={`Show ${label}`}
      copyAriaLabel={`Copy ${label}`}
    >
      {value}
    </ClipboardCopy>
  );
}
