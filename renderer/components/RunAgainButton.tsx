// Puts a run's settings back into the setup form, to run it again or change one thing.
import { useAppState, useController } from "../store/context.tsx";

export function RunAgainButton({ runId }: { runId: string }) {
  const controller = useController();
  const known = useAppState((s) => Boolean(s.runs[runId]?.models));
  if (!known) return null;
  return (
    <button type="button" className="run-again" data-testid="run-again" onClick={() => void controller.runAgainWith(runId)}>
      Run again with these settings
    </button>
  );
}
