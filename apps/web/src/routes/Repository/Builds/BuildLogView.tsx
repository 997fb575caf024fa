// A build's log as it arrives: grouped under the phase each "phase" line opened (with its badge), commands
// in bold, errors in red, line numbers aside; it follows the end while scrolled to the bottom. Copy puts
// the text on the clipboard, Download saves it as a text file.
import { useEffect, useMemo, useRef, useState, type CSSProperties } from "react";
import {
  Button,
  Label,
  Switch,
  Toolbar,
  ToolbarContent,
  ToolbarGroup,
  ToolbarItem,
} from "@patternfly/react-core";
import { CopyIcon, DownloadIcon } from "@patternfly/react-icons";
import type { BuildLogLine } from "../../../hooks/builds";
import { isTerminal, phaseInfo, PhaseLabel } from "./phases";

const box: CSSProperties = {
  maxHeight: "60vh",
  minHeight: "8rem",
  overflow: "auto",
  padding: "0.5rem 0",
  fontFamily: "var(--pf-t--global--font--family--mono)",
  fontSize: "0.85rem",
  lineHeight: 1.5,
  background: "var(--pf-t--global--background--color--secondary--default)",
  border: "1px solid var(--pf-t--global--border--color--default)",
  borderRadius: 4,
};
const lineStyle: CSSProperties = {
  display: "flex",
  gap: "1rem",
  padding: "0 0.75rem",
  whiteSpace: "pre-wrap",
};
const numberStyle: CSSProperties = {
  minWidth: "3.5rem",
  textAlign: "right",
  color: "var(--pf-t--global--text--color--subtle)",
  userSelect: "none",
  flexShrink: 0,
};
const errorStyle: CSSProperties = { color: "var(--pf-t--global--text--color--status--danger--default)" };

const heading = (phase: string) => `=== ${phaseInfo(phase).label} ===`;

/** The log as a text file: each phase as a heading line, then its lines; the final phase last. */
export function logText(lines: BuildLogLine[], finalPhase: string | null): string {
  const out = lines.map((l) => (l.type === "phase" ? heading(l.message) : l.message));
  if (finalPhase) out.push(heading(finalPhase));
  return out.length ? `${out.join("\n")}\n` : "";
}

interface Group {
  phase: string | null;
  key: number;
  lines: BuildLogLine[];
}

/** Lines under the "phase" line that opened their phase (lines before the first one have none). */
function groups(lines: BuildLogLine[]): Group[] {
  const out: Group[] = [];
  for (const l of lines) {
    if (l.type === "phase") out.push({ phase: l.message, key: l.seq, lines: [] });
    else if (!out.length) out.push({ phase: null, key: -1, lines: [l] });
    else out[out.length - 1]!.lines.push(l);
  }
  return out;
}

export function BuildLogView({
  buildId,
  lines,
  phase,
  live,
  loaded,
  truncated,
}: {
  buildId: string;
  lines: BuildLogLine[];
  /** The build's phase now: once it is final (complete, error…) it closes the log. */
  phase: string;
  live: boolean;
  loaded: boolean;
  truncated: boolean;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [follow, setFollow] = useState(true);
  const [copied, setCopied] = useState(false);
  const grouped = useMemo(() => groups(lines), [lines]);
  // The runner logs the phases it works through; the final one only ends the build, so it closes the log.
  const finalPhase = isTerminal(phase) && grouped[grouped.length - 1]?.phase !== phase ? phase : null;

  useEffect(() => {
    const el = ref.current;
    if (follow && el) el.scrollTop = el.scrollHeight;
  }, [follow, lines.length, finalPhase]);

  const copy = async () => {
    await navigator.clipboard.writeText(logText(lines, finalPhase));
    setCopied(true);
    setTimeout(() => setCopied(false), 2000);
  };
  const download = () => {
    const url = URL.createObjectURL(new Blob([logText(lines, finalPhase)], { type: "text/plain" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = `build-${buildId}.log`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  return (
    <section aria-label="Build log">
      <Toolbar>
        <ToolbarContent>
          <ToolbarGroup>
            <ToolbarItem>
              <Button
                variant="secondary"
                icon={<CopyIcon />}
                onClick={() => void copy()}
                aria-label="Copy log"
              >
                {copied ? "Copied" : "Copy"}
              </Button>
            </ToolbarItem>
            <ToolbarItem>
              <Button
                variant="secondary"
                icon={<DownloadIcon />}
                onClick={download}
                aria-label="Download log"
              >
                Download
              </Button>
            </ToolbarItem>
            <ToolbarItem alignSelf="center">
              <Switch
                id="build-log-follow"
                label="Follow the log"
                isChecked={follow}
                onChange={(_e, on) => setFollow(on)}
              />
            </ToolbarItem>
          </ToolbarGroup>
          <ToolbarItem alignSelf="center">
            {live && (
              <Label isCompact color="green">
                Live
              </Label>
            )}
            {truncated && (
              <Label isCompact status="warning">
                Lines past the log limit were not kept
              </Label>
            )}
          </ToolbarItem>
        </ToolbarContent>
      </Toolbar>
      <div
        ref={ref}
        role="log"
        aria-label="Build log lines"
        tabIndex={0}
        style={box}
        onScroll={(e) => {
          const el = e.currentTarget;
          const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
          if (atBottom !== follow) setFollow(atBottom);
        }}
      >
        {!loaded && <div style={lineStyle}>Loading the log…</div>}
        {loaded && lines.length === 0 && <div style={lineStyle}>No log lines yet.</div>}
        {grouped.map((g) => (
          <div key={g.key} data-phase={g.phase ?? undefined}>
            {g.phase && (
              <div style={{ ...lineStyle, padding: "0.5rem 0.75rem 0.25rem" }}>
                <PhaseLabel phase={g.phase} />
              </div>
            )}
            {g.lines.map((l) => (
              <div
                key={l.seq}
                data-type={l.type || "output"}
                style={{
                  ...lineStyle,
                  ...(l.type === "error" ? errorStyle : {}),
                  ...(l.type === "command" ? { fontWeight: 600 } : {}),
                }}
              >
                <span style={numberStyle} aria-hidden="true">
                  {l.seq}
                </span>
                <span>{l.message}</span>
              </div>
            ))}
          </div>
        ))}
        {finalPhase && (
          <div style={{ ...lineStyle, padding: "0.5rem 0.75rem 0.25rem" }} data-final-phase={finalPhase}>
            <PhaseLabel phase={finalPhase} />
          </div>
        )}
      </div>
    </section>
  );
}
