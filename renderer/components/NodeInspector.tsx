// Everything about one node: its prompt, its output (formatted, or raw as the model wrote it), how it differs
// from the answer it revised, the scores it received, tokens and timing; a vote's tally and its parents as links.
import { useState } from "react";
import { useAppState } from "../store/context.tsx";
import { diffWords } from "./diff.ts";
import { scoreAuthor } from "../../native/protocol/state.ts";
import { ScoreBadge } from "./scores.tsx";
import { ConfidenceStrip } from "./ConfidenceStrip.tsx";
import { CritiqueView } from "./CritiqueView.tsx";
import { readCritique } from "./critique-view.ts";
import { whitespaceOnlyNote } from "./tree/whitespace.ts";
import { JoinSummary, NodeLink } from "./tree/JoinSummary.tsx";
import { formatDuration } from "../../native/protocol/format.ts";
import { LiveProgressLine } from "./tree/LiveProgress.tsx";
import { Markdown } from "./tree/Markdown.tsx";
import { looksLikeJson } from "./tree/markdown.ts";

export function NodeInspector({ runId }: { runId: string }) {
  const nodeId = useAppState((s) => s.selectedNodeId);
  const node = useAppState((s) => (nodeId ? s.runs[runId]?.nodes[nodeId] : undefined));
  const run = useAppState((s) => s.runs[runId]);
  const parent = useAppState((s) => {
    const primary = node?.parents[0];
    return primary ? s.runs[runId]?.nodes[primary] : undefined;
  });
  const selectNode = useAppState((s) => s.selectNode);
  const [raw, setRaw] = useState(false);
  if (!node) return <div className="inspector empty">Select a node to see its prompt, output and scores.</div>;
  const revised = node.role === "refine" && parent && (parent.role === "draft" || parent.role === "refine");
  const critique = run && node.status !== "running" ? readCritique(node, run) : null;
  const blank = whitespaceOnlyNote(node);
  return (
    <div className="inspector" data-testid="inspector">
      <h3>
        {node.id} · {node.role}/{node.step} · iteration {node.iteration} {node.model ? `· ${node.model}` : ""}
      </h3>
      <dl className="facts">
        <dt>status</dt>
        <dd data-testid="inspector-status">
          {node.status}
          {node.pruned ? ` · pruned: ${node.pruned}` : ""}
        </dd>
        {node.status === "running" && (
          <>
            <dt>so far</dt>
            <dd>
              <LiveProgressLine node={node} testId="inspector-live" />
            </dd>
          </>
        )}
        <dt>tokens</dt>
        <dd data-testid="inspector-tokens">
          prompt {node.tokensEvaluated ?? node.tokensIn} evaluated · {node.tokensReused} reused · thought {node.thoughtTokens} · answer{" "}
          {node.tokensOut - node.thoughtTokens}
          {node.thoughtCut ? " · thinking budget reached" : ""}
          {node.answerCut ? " · answer cut at its budget" : ""}
          {node.confidenceStop ? " · stopped: its confidence fell below the threshold" : ""}
        </dd>
        {node.confidence && (
          <>
            <dt>confidence</dt>
            <dd data-testid="inspector-confidence">
              <ConfidenceStrip encoded={node.confidence} bins={160} wide />
            </dd>
          </>
        )}
        <dt>time</dt>
        <dd data-testid="inspector-time">{node.status === "running" ? "running" : formatDuration(node.wallMs)}</dd>
        {node.parents.length > 0 && (
          <>
            <dt>parents</dt>
            <dd className="parent-links" data-testid="inspector-parents">
              {node.parents.map((id) => (
                <NodeLink key={id} id={id} onSelect={selectNode} />
              ))}
            </dd>
          </>
        )}
        {node.answer !== null && (
          <>
            <dt>answer</dt>
            <dd data-testid="inspector-answer">{node.answer}</dd>
          </>
        )}
      </dl>
      {node.error && <div className="error inline">{node.error}</div>}
      {node.warning && (
        <div className="warning inline" data-testid="inspector-warning">
          {node.warning}
        </div>
      )}
      {run && <JoinSummary node={node} run={run} onSelect={selectNode} />}
      {node.scores.length > 0 && (
        <section>
          <h4>Scores</h4>
          {node.scores.map((score, index) => (
            <div key={index} className="score-row">
              <ScoreBadge score={score} scale={score.source === "vote" ? 1 : 10} />{" "}
              <span data-testid="score-author">{run ? scoreAuthor(run, score) : score.source}</span>
              {score.byNodeId ? ` (${score.byNodeId})` : ""} · {score.reward !== undefined ? "reward on −100…100" : score.verdict}
              {score.firstErrorStep != null && ` · first error at step ${score.firstErrorStep + 1}`}
              {score.steps && (
                <ol className="steps">
                  {score.steps.map((step) => (
                    <li key={step.index} className={step.verdict}>
                      {step.verdict} {step.score !== null ? `${step.score}/10` : ""} {step.why}
                    </li>
                  ))}
                </ol>
              )}
            </div>
          ))}
        </section>
      )}
      {(node.thought || node.thoughtTokens > 0) && (
        <section>
          <details open>
            <summary>
              <h4 className="inline">Thought ({node.thoughtTokens} tokens)</h4>
            </summary>
            <pre className="thought" data-testid="inspector-thought">
              {node.thought}
            </pre>
          </details>
        </section>
      )}
      <section>
        <h4>
          {node.thought || node.thoughtTokens > 0 ? "Answer" : "Output"}{" "}
          <label className="raw-toggle">
            <input type="checkbox" data-testid="inspector-raw" checked={raw} onChange={(e) => setRaw(e.target.checked)} /> raw
          </label>
        </h4>
        {blank && !raw ? (
          <div className="muted" data-testid="inspector-output" data-format="blank">
            {blank}
          </div>
        ) : critique && !raw ? (
          <CritiqueView reading={critique} onSelect={selectNode} />
        ) : raw || looksLikeJson(node.text) || node.status === "running" ? (
          <pre data-testid="inspector-output" data-format="raw">
            {node.text}
          </pre>
        ) : (
          <Markdown text={node.text} className="inspector-markdown" testId="inspector-output" />
        )}
      </section>
      {revised && (
        <section>
          <h4>Changes from {parent.id}</h4>
          <pre className="diff" data-testid="inspector-diff">
            {diffWords(parent.text, node.text).map((part, index) => (
              <span key={index} className={part.kind}>
                {part.text}
              </span>
            ))}
          </pre>
        </section>
      )}
      {node.prompt && (
        <section>
          <h4>Prompt</h4>
          {node.prompt.map((message, index) => (
            <div key={index} className={`message ${message.role}`}>
              <div className="message-role">{message.role}</div>
              <pre>{message.content}</pre>
            </div>
          ))}
        </section>
      )}
    </div>
  );
}
