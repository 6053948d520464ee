import { useAppState, useAppStateShallow } from "../store/context.tsx";
import type { UiError } from "../store/store.ts";

/** Errors shown next to the part of the UI they concern. */
export function Errors({ where }: { where: UiError["where"] }) {
  const errors = useAppStateShallow((s) => s.errors.filter((e) => e.where === where));
  const dismiss = useAppState((s) => s.dismissError);
  if (errors.length === 0) return null;
  return (
    <div className={`errors errors-${where}`} data-testid={`errors-${where}`} role="alert">
      {errors.map((error) => (
        <div key={error.id} className="error">
          <span>{error.message}</span>
          <button type="button" aria-label="dismiss" onClick={() => dismiss(error.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
