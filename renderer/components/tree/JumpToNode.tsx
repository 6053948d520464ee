// The toolbar's "jump to node" box: "12" or "n12" names node n12; a node the run does not have is said, not ignored.
import { useState } from "react";

/** The node id the box's text names ("12" and "n12" both name n12). */
export function nodeIdFrom(input: string): string {
  const wanted = input.trim().toLowerCase();
  return /^\d+$/.test(wanted) ? `n${wanted}` : wanted;
}

export function JumpToNode({ has, onJump }: { has: (id: string) => boolean; onJump: (id: string) => void }) {
  const [message, setMessage] = useState<string | null>(null);
  return (
    <>
      <form
        className="tree-jump"
        onSubmit={(event) => {
          event.preventDefault();
          const input = (event.currentTarget.elements.namedItem("node") as HTMLInputElement).value;
          const id = nodeIdFrom(input);
          if (!has(id)) {
            setMessage(`There is no node ${input.trim()} in this run.`);
            return;
          }
          setMessage(null);
          onJump(id);
        }}
      >
        <label>
          jump to node <input name="node" data-testid="tree-jump" placeholder="n12" size={6} onChange={() => setMessage(null)} />
        </label>
      </form>
      {message && (
        <span className="tree-jump-message" data-testid="tree-jump-message" role="status">
          {message}
        </span>
      )}
    </>
  );
}
