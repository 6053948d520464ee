// What a vote or a selection decided over: its parents as links, and for a vote the tally (each answer, the
// candidates that gave it, and its share of the votes, or of the reward mass when the vote is weighted); for a
// critic-scored selection, the rule that chose.
import { selectionRuleText } from "../../../native/protocol/select-rule.ts";
import type { RunNode, RunState } from "../../../native/protocol/state.ts";
import { latestScore } from "../../../native/protocol/state.ts";
import { formatReward, ScoreBadge } from "../scores.tsx";

export function NodeLink({ id, onSelect }: { id: string; onSelect: (id: string) => void }) {
  return (
    <button type="button" className="node-link" data-testid="node-link" data-node-id={id} onClick={() => onSelect(id)}>
      {id}
    </button>
  );
}

interface TallyRow {
  answer: string;
  candidates: string[];
  share: number | null;
}

/**
 * Groups a vote's candidates as the vote did: by the answer group it recorded on each candidate's score ("7" and
 * "7.0" together), or by the answer's text in logs that predate it; the share is the one the vote gave them.
 */
export function tallyOf(vote: RunNode, run: RunState): TallyRow[] {
  const rows = new Map<string, TallyRow>();
  for (const id of vote.parents) {
    const candidate = run.nodes[id];
    const answer = candidate?.answer ?? "(no answer)";
    const score = candidate?.scores.findLast((s) => s.source === "vote" && s.byNodeId === vote.id);
    const key = score?.group ?? (candidate?.answer === null || candidate?.answer === undefined ? "\u0000none" : `\u0000text:${answer}`);
    // A letter group (multiple choice) reads as the letter; any other group as its first candidate's answer.
    const row = rows.get(key) ?? { answer: score?.group && /^[A-Z]$/.test(score.group) ? score.group : answer, candidates: [], share: score?.value ?? null };
    row.candidates.push(id);
    rows.set(key, row);
  }
  return [...rows.values()].sort((a, b) => (b.share ?? -1) - (a.share ?? -1) || b.candidates.length - a.candidates.length);
}

export function JoinSummary({ node, run, onSelect }: { node: RunNode; run: RunState; onSelect: (id: string) => void }) {
  if (node.role === "vote") {
    const weighted = node.step.includes("weighted");
    return (
      <section>
        <h4>Tally</h4>
        <table className="tally" data-testid="inspector-tally">
          <thead>
            <tr>
              <th>answer</th>
              <th>votes</th>
              <th>{weighted ? "weight" : "share"}</th>
              <th>from</th>
            </tr>
          </thead>
          <tbody>
            {tallyOf(node, run).map((row) => (
              <tr key={row.answer} data-testid="tally-row" className={row.answer === node.answer ? "winner" : ""}>
                <td className="tally-answer">{row.answer}</td>
                <td>{row.candidates.length}</td>
                <td>{row.share === null ? "—" : `${Math.round(row.share * 100)}%`}</td>
                <td>
                  {row.candidates.map((id) => (
                    <NodeLink key={id} id={id} onSelect={onSelect} />
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    );
  }
  if (node.role !== "select") return null;
  // A search chose by Q (its own units, −100…100) over visits; the last reward alone did not decide.
  const stats = run.snapshots.at(-1)?.stats;
  const rule = selectionRuleText(node.step);
  return (
    <section>
      <h4>Candidates</h4>
      {rule && (
        <p className="select-rule" data-testid="select-rule">
          chosen by {rule}
        </p>
      )}
      <table className="tally" data-testid="inspector-candidates">
        <thead>
          <tr>
            <th>candidate</th>
            <th>answer</th>
            {stats && <th title="the mean of the worst and the average reward, −100…100">Q</th>}
            {stats && <th title="reward samples taken">visits</th>}
            <th>{stats ? "last reward" : "critic score"}</th>
          </tr>
        </thead>
        <tbody>
          {node.parents.map((id) => {
            const candidate = run.nodes[id];
            const score = candidate ? latestScore(candidate, "critic") : undefined;
            return (
              <tr key={id} className={candidate?.answer != null && candidate.answer === node.answer ? "winner" : ""}>
                <td>
                  <NodeLink id={id} onSelect={onSelect} />
                </td>
                <td>{candidate?.answer ?? "—"}</td>
                {stats && <td data-testid="candidate-q">{stats[id] ? formatReward(stats[id].value) : "—"}</td>}
                {stats && <td data-testid="candidate-visits">{stats[id]?.visits ?? 0}</td>}
                <td>{score ? <ScoreBadge score={score} scale={10} /> : "unscored"}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
