// What the bundled demo pair is called wherever it is shown: tiny models trained on one arithmetic world, so nobody
// mistakes them for general models.

export const BUNDLED_SOURCE = "bundled";
export const BUNDLED_LABEL = "bundled demo models (tiny, trained on arithmetic)";

/** How the library names where a model comes from; the bundled pair gets its warning label. */
export function librarySourceLabel(source: string): string {
  return source === BUNDLED_SOURCE ? BUNDLED_LABEL : source;
}
