// A node's per-token confidence as a strip of bins along its generation (confidence-strip.ts): narrow on the
// node card, wide with its numbers in the inspector; the lowest stretches are outlined.
import { memo } from "react";
import { binLabel, confidenceBins, confidenceColor } from "./confidence-strip.ts";

export const ConfidenceStrip = memo(function ConfidenceStrip({ encoded, bins, wide = false }: { encoded: string; bins: number; wide?: boolean }) {
  const strip = confidenceBins(encoded, bins);
  if (!strip) return null;
  const low = strip.bins.filter((bin) => bin.low);
  const title = `confidence over ${strip.tokens} tokens: mean ${strip.mean.toFixed(2)} (top-20 −mean log p)${low.length ? `; lowest at ${low.map(binLabel).join(", ")}` : ""}`;
  return (
    <div className={`confidence-strip${wide ? " wide" : ""}`} data-testid="confidence-strip" data-low={low.length} title={title}>
      {strip.bins.map((bin) => (
        <span
          key={bin.from}
          className={`confidence-bin${bin.low ? " low" : ""}`}
          style={{ background: confidenceColor(bin.mean) }}
          title={`${binLabel(bin)}: ${bin.mean.toFixed(2)}`}
        />
      ))}
    </div>
  );
});
