"""Trains the demo llama on the token ids prepare.ts wrote (one model for actor and critic; the system prompt
says which role it plays). Seeded and resumable: the batch order is a function of the seed and the step, and a
checkpoint every few minutes holds the weights, the optimiser and the step, so a killed run goes on where it was.
Runs on one thread (the machine is shared). Writes the weights as raw float32 in ggml's layout for model-file.ts.

    /usr/bin/python3 scripts/train-demo/train.py [--steps N]
"""
import argparse, json, math, os, struct, sys, time
import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CACHE = os.path.join(ROOT, ".cache", "train-demo")

parser = argparse.ArgumentParser()
parser.add_argument("--steps", type=int, default=3000)
parser.add_argument("--batch-tokens", type=int, default=6144)
parser.add_argument("--lr", type=float, default=3e-3)
parser.add_argument("--seed", type=int, default=30)
parser.add_argument("--snapshot-every", type=int, default=250)
parser.add_argument("--threads", type=int, default=1)
parser.add_argument("--log-every", type=int, default=10)
parser.add_argument("--draft-share", type=float, default=None,
                    help="share of steps whose batch is drafts only (the core skill); unset: one seeded pass over all examples per epoch")
parser.add_argument("--schedule", choices=["rsqrt", "constant-decay"], default="rsqrt")
parser.add_argument("--stop-at", type=int, default=None, help="stop (and snapshot) at this step without changing the schedule --steps sets")
parser.add_argument("--decay-share", type=float, default=0.25, help="constant-decay: the last share of --steps decays linearly to a tenth")
parser.add_argument("--work", default=None, help="a folder under .cache/train-demo with its own tokens, checkpoint and snapshots (the critic's: critic)")
parser.add_argument("--init", default=None, help="start from this snapshot of .cache/train-demo (e.g. weights-8000), with a fresh optimiser")
for name in ("embedding", "layers", "heads", "feed-forward"):
    parser.add_argument(f"--{name}", type=int, default=None, help="overrides the shape prepare.ts wrote")
args = parser.parse_args()
WORK = os.path.join(CACHE, args.work) if args.work else CACHE
torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)

index = json.load(open(os.path.join(WORK, "index.json")))
shape = dict(index["shape"])
for key, value in (("embedding", args.embedding), ("layers", args.layers), ("heads", args.heads), ("feedForward", args.feed_forward)):
    if value is not None:
        shape[key] = value
vocab = index["vocab"]
tokens = np.fromfile(os.path.join(WORK, "tokens.u16"), dtype=np.uint16).astype(np.int64)
examples = index["examples"]
D, L, H, FF = shape["embedding"], shape["layers"], shape["heads"], shape["feedForward"]
HD = D // H


def rope_tables(length):
    # ggml's "normal" rope (llama): pairs (2i, 2i+1) rotate by pos * 10000^(-2i/head_dim).
    inv = 10000.0 ** (-torch.arange(0, HD, 2, dtype=torch.float32) / HD)
    angles = torch.arange(length, dtype=torch.float32)[:, None] * inv[None, :]
    return angles.cos(), angles.sin()


def rope(x, cos, sin):
    even, odd = x[..., 0::2], x[..., 1::2]
    out = torch.stack((even * cos - odd * sin, even * sin + odd * cos), dim=-1)
    return out.flatten(-2)


class RMSNorm(torch.nn.Module):
    def __init__(self, n):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(n))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-5) * self.weight


class Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.attn_norm, self.ffn_norm = RMSNorm(D), RMSNorm(D)
        self.q, self.k, self.v, self.o = (torch.nn.Linear(D, D, bias=False) for _ in range(4))
        self.gate, self.up = torch.nn.Linear(D, FF, bias=False), torch.nn.Linear(D, FF, bias=False)
        self.down = torch.nn.Linear(FF, D, bias=False)

    def forward(self, x, cos, sin, mask):
        b, t, _ = x.shape
        h = self.attn_norm(x)
        q = rope(self.q(h).view(b, t, H, HD).transpose(1, 2), cos, sin)
        k = rope(self.k(h).view(b, t, H, HD).transpose(1, 2), cos, sin)
        v = self.v(h).view(b, t, H, HD).transpose(1, 2)
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(HD) + mask
        x = x + self.o((scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, D))
        h = self.ffn_norm(x)
        return x + self.down(F.silu(self.gate(h)) * self.up(h))


class Llama(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(vocab, D)
        torch.nn.init.normal_(self.embed.weight, std=0.02)
        self.blocks = torch.nn.ModuleList(Block() for _ in range(L))
        self.norm = RMSNorm(D)

    def forward(self, ids):
        t = ids.shape[1]
        cos, sin = rope_tables(t)
        mask = torch.full((t, t), float("-inf")).triu(1)
        x = self.embed(ids)
        for block in self.blocks:
            x = block(x, cos, sin, mask)
        # The output matrix is the embedding (llama.cpp reads a missing output.weight as tied).
        return self.norm(x) @ self.embed.weight.T


def batches_for_step(step):
    """The examples of one step: a seeded shuffle per epoch, cut into batches of about batch_tokens (padded)."""
    order = np.random.default_rng(args.seed).permutation(len(examples))
    cursor, batches = 0, []
    while cursor < len(order):
        chosen, longest = [], 0
        while cursor < len(order):
            e = examples[order[cursor]]
            n = e["end"] - e["start"]
            if chosen and max(longest, n) * (len(chosen) + 1) > args.batch_tokens:
                break
            chosen.append(order[cursor]); longest = max(longest, n); cursor += 1
        batches.append(chosen)
    epoch, within = divmod(step, len(batches))
    # Each epoch reshuffles which examples share a batch.
    if epoch > 0:
        order = np.random.default_rng(args.seed + epoch).permutation(len(examples))
        examples_order = order
        cursor, batches = 0, []
        while cursor < len(examples_order):
            chosen, longest = [], 0
            while cursor < len(examples_order):
                e = examples[examples_order[cursor]]
                n = e["end"] - e["start"]
                if chosen and max(longest, n) * (len(chosen) + 1) > args.batch_tokens:
                    break
                chosen.append(examples_order[cursor]); longest = max(longest, n); cursor += 1
            batches.append(chosen)
    return batches[within % len(batches)]


drafts = np.array([i for i, e in enumerate(examples) if e["kind"] == "draft"])
others = np.array([i for i, e in enumerate(examples) if e["kind"] != "draft"])


def sampled_batch(step):
    """A batch drawn by a generator seeded with (seed, step): a run stopped at step N is the run `--steps N` makes.
    One kind of example a batch (drafts, or the critic and refinement conversations), so short drafts are not
    padded to a long critique's length."""
    rng = np.random.default_rng([args.seed, step])
    pool = drafts if rng.random() < args.draft_share else others
    chosen, longest = [], 0
    while True:
        i = int(pool[rng.integers(len(pool))])
        n = examples[i]["end"] - examples[i]["start"]
        if chosen and max(longest, n) * (len(chosen) + 1) > args.batch_tokens:
            return chosen
        chosen.append(i); longest = max(longest, n)


def tensors_for(chosen):
    longest = max(examples[i]["end"] - examples[i]["start"] for i in chosen)
    ids = torch.zeros((len(chosen), longest), dtype=torch.long)
    targets = torch.full((len(chosen), longest), -100, dtype=torch.long)
    for row, i in enumerate(chosen):
        e = examples[i]
        seq = torch.from_numpy(tokens[e["start"]:e["end"]])
        ids[row, : len(seq)] = seq
        reply = e["reply"] - e["start"]
        # Position p predicts token p+1: only the reply's tokens (and its <|im_end|>) are learnt.
        targets[row, reply - 1 : len(seq) - 1] = seq[reply:]
    return ids, targets


def lr_at(step):
    if args.schedule == "constant-decay":
        # Flat after the warm-up, so a snapshot taken before the end is as trained as its step count; the last
        # --decay-share of the run anneals linearly to a tenth.
        warm, decay_from = 60, int(args.steps * (1 - args.decay_share))
        if step < decay_from:
            return args.lr * min(1.0, (step + 1) / warm)
        return args.lr * (1 - 0.9 * (step - decay_from) / max(1, args.steps - decay_from))
    return rsqrt_lr(step)


def rsqrt_lr(step):
    """Warm-up, then inverse-square-root decay: depends on the step alone, so a run stopped at step N is the run
    `--steps N` would make."""
    warm = 60
    return args.lr * min(1.0, (step + 1) / warm) * math.sqrt(warm / max(step + 1, warm))


def ggml_parameters(model):
    """(ggml name, parameter) for every tensor the GGUF holds."""
    out = [("token_embd.weight", model.embed.weight), ("output_norm.weight", model.norm.weight)]
    for i, b in enumerate(model.blocks):
        out += [
            (f"blk.{i}.attn_norm.weight", b.attn_norm.weight), (f"blk.{i}.attn_q.weight", b.q.weight),
            (f"blk.{i}.attn_k.weight", b.k.weight), (f"blk.{i}.attn_v.weight", b.v.weight),
            (f"blk.{i}.attn_output.weight", b.o.weight), (f"blk.{i}.ffn_norm.weight", b.ffn_norm.weight),
            (f"blk.{i}.ffn_gate.weight", b.gate.weight), (f"blk.{i}.ffn_up.weight", b.up.weight),
            (f"blk.{i}.ffn_down.weight", b.down.weight),
        ]
    return out


def ggml_weights(model):
    """(name, ggml dims, float32 array): torch's [out, in] rows are ggml's dims [in, out]."""
    return [(name, list(reversed(t.shape)), t.detach().float().contiguous().numpy()) for name, t in ggml_parameters(model)]


def export(model, stem):
    entries, offset, parts = [], 0, []
    for name, dims, array in ggml_weights(model):
        entries.append({"name": name, "dims": dims, "offset": offset})
        offset += array.size
        parts.append(array.ravel())
    np.concatenate(parts).astype(np.float32).tofile(os.path.join(WORK, stem + ".f32"))
    json.dump({"shape": shape, "tensors": entries}, open(os.path.join(WORK, stem + ".json"), "w"))


model = Llama()
optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.98), weight_decay=0.01)
checkpoint = os.path.join(WORK, "checkpoint.pt")
step, elapsed = 0, 0.0
if os.path.exists(checkpoint):
    state = torch.load(checkpoint)
    model.load_state_dict(state["model"]); optimizer.load_state_dict(state["optimizer"])
    step, elapsed = state["step"], state["elapsed"]
    print(f"resumed at step {step} ({elapsed:.0f} s trained)", flush=True)
elif args.init:
    # A snapshot is ggml's layout of torch's tensors: each one's dims reversed is its torch shape.
    meta = json.load(open(os.path.join(CACHE, args.init + ".json")))
    flat = np.fromfile(os.path.join(CACHE, args.init + ".f32"), dtype=np.float32)
    saved = {e["name"]: torch.from_numpy(flat[e["offset"]: e["offset"] + int(np.prod(e["dims"]))].reshape(list(reversed(e["dims"])))) for e in meta["tensors"]}
    grown = []
    with torch.no_grad():
        for name, parameter in ggml_parameters(model):
            if name in saved:
                parameter.copy_(saved[name])
            elif name.startswith("blk."):
                # A block the snapshot lacks (--layers above its count) starts as the identity: its attention and
                # feed-forward outputs are zero, so the grown model first computes what the snapshot did.
                grown.append(name)
                if name.endswith(("attn_output.weight", "ffn_down.weight")):
                    parameter.zero_()
            else:
                raise SystemExit(f"{args.init} has no {name}")
    blocks = sorted({int(n.split(".")[1]) for n in grown})
    print(f"initialised from {args.init}" + (f"; blocks {blocks} added as identity" if blocks else ""), flush=True)
params = sum(p.numel() for p in model.parameters())
print(f"{params} parameters, vocab {vocab}, {len(examples)} examples", flush=True)

log = open(os.path.join(WORK, "train.log"), "a")
started, last_save, running = time.time() - elapsed, time.time(), None
last = min(args.steps, args.stop_at) if args.stop_at is not None else args.steps
while step < last:
    ids, targets = tensors_for(batches_for_step(step) if args.draft_share is None else sampled_batch(step))
    for group in optimizer.param_groups:
        group["lr"] = lr_at(step)
    logits = model(ids)
    loss = F.cross_entropy(logits.view(-1, vocab), targets.view(-1), ignore_index=-100)
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    step += 1
    running = loss.item() if running is None else 0.95 * running + 0.05 * loss.item()
    if step % args.log_every == 0:
        line = f"step {step} loss {loss.item():.4f} avg {running:.4f} lr {lr_at(step):.5f} t {time.time() - started:.0f}s"
        print(line, flush=True); log.write(line + "\n"); log.flush()
    if step % args.snapshot_every == 0 or step == last:
        export(model, f"weights-{step}")
    if time.time() - last_save > 120 or step == last:
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "step": step, "elapsed": time.time() - started}, checkpoint + ".tmp")
        os.replace(checkpoint + ".tmp", checkpoint)
        last_save = time.time()
export(model, "weights-final")
print(f"done: {step} steps in {time.time() - started:.0f} s", flush=True)
