// What the tree's lines mean, folded under the toolbar: a solid grey edge is the node a card grew from, a dashed
// one another input a join read, blue the path to the chosen answer; a faded card was pruned or comes later.
const SAMPLES = [
  { className: "edge primary", text: "grew from (its first parent)" },
  { className: "edge extra", text: "also read (a vote's, selection's or distill's other inputs)" },
  { className: "edge primary on-path", text: "the path to the chosen answer" },
] as const;

export function EdgeLegend() {
  return (
    <details className="tree-legend" data-testid="tree-legend">
      <summary>legend</summary>
      <ul>
        {SAMPLES.map((sample) => (
          <li key={sample.className} data-testid="legend-entry">
            <svg width="28" height="10" aria-hidden="true">
              <line x1="2" y1="5" x2="26" y2="5" className={sample.className} />
            </svg>{" "}
            {sample.text}
          </li>
        ))}
        <li data-testid="legend-entry">
          <span className="legend-faded" aria-hidden="true" /> faded card: pruned by the search, or later than the replay step
        </li>
      </ul>
    </details>
  );
}
