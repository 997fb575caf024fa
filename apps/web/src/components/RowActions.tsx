// The kebab menu of a table row, with a toggle labelled after the row ("Actions for <name>").
import { MenuToggle } from "@patternfly/react-core";
import { EllipsisVIcon } from "@patternfly/react-icons";
import { ActionsColumn, type IAction } from "@patternfly/react-table";

export function RowActions({ label, items }: { label: string; items: IAction[] }) {
  return (
    <ActionsColumn
      items={items}
      popperProps={{ position: "right" }}
      actionsToggle={({ onToggle, isOpen, isDisabled, toggleRef }) => (
        <MenuToggle
          ref={toggleRef}
          variant="plain"
          onClick={onToggle}
          isExpanded={isOpen}
          isDisabled={isDisabled}
          aria-label={label}
          icon={<EllipsisVIcon />}
        />
      )}
    />
  );
}
