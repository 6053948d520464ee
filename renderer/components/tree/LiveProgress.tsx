// The live line of a streaming node, on its card and in the inspector; it ticks only while the node runs.
import type { RunNode } from "../../../native/protocol/state.ts";
import { useNow } from "../use-now.ts";
import { liveProgress, liveProgressText } from "./live-progress.ts";

export function LiveProgressLine({ node, testId }: { node: RunNode; testId: string }) {
  const now = useNow(node.status === "running");
  const progress = liveProgress(node, now);
  return (
    <span className="live-progress" data-testid={testId} data-tokens={progress.tokens}>
      {liveProgressText(progress)}
    </span>
  );
}
