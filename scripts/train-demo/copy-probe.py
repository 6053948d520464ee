"""Whether a critic snapshot copies from its prompt: the share of label words in 60 stepwise verdicts of a curriculum
(default the `--scramble 3` one, .cache/train-demo/critic-scramble3) that the snapshot predicts with the right text
before them (teacher-forced). On a scrambled solution a label word is a random one of eight, so only a copy from the
prompt beats 12.5%; digits are shown beside it (most of them can be foretold: scores, step numbers, sums).

    /usr/bin/python3 scripts/train-demo/copy-probe.py <work folder or .> <step> [curriculum folder]

A snapshot trained on a retokenize.py curriculum is probed on that curriculum (its vocab.json is read), one trained
on a `prepare-critic.ts --whole-words` curriculum likewise (its tokenizer.json).
"""
import json, math, os, sys
import numpy as np
import torch
import torch.nn.functional as F

CACHE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".cache", "train-demo")
work, step = sys.argv[1], sys.argv[2]
curriculum = os.path.join(CACHE, sys.argv[3] if len(sys.argv) > 3 else "critic-scramble3")
meta = json.load(open(os.path.join(CACHE, work, f"weights-{step}.json")))
flat = np.fromfile(os.path.join(CACHE, work, f"weights-{step}.f32"), dtype=np.float32)
W = {e["name"]: torch.from_numpy(flat[e["offset"]: e["offset"] + int(np.prod(e["dims"]))].reshape(list(reversed(e["dims"])))) for e in meta["tensors"]}
shape = meta["shape"]
D, L, H = shape["embedding"], shape["layers"], shape["heads"]
HD = D // H
# A curriculum retokenize.py or --whole-words wrote carries its own vocabulary; the others use the demo tokenizer.
own, whole = os.path.join(curriculum, "vocab.json"), os.path.join(curriculum, "tokenizer.json")
tokenizer = whole if os.path.exists(whole) else os.path.join(CACHE, "tokenizer.json")
vocab = json.load(open(own)) if os.path.exists(own) else json.load(open(tokenizer))["tokens"] + ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
index = json.load(open(os.path.join(curriculum, "index.json")))
tokens = np.fromfile(os.path.join(curriculum, "tokens.u16"), dtype=np.uint16).astype(np.int64)


def norm(x, weight):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-5) * weight


def rope(x, cos, sin):
    even, odd = x[..., 0::2], x[..., 1::2]
    return torch.stack((even * cos - odd * sin, even * sin + odd * cos), -1).flatten(-2)


def logits(ids):
    """train.py's forward pass on ggml-layout weights (one sequence, no batch)."""
    t = len(ids)
    angles = torch.arange(t).float()[:, None] * 10000.0 ** (-torch.arange(0, HD, 2).float() / HD)
    cos, sin = angles.cos(), angles.sin()
    mask = torch.full((t, t), float("-inf")).triu(1)
    x = W["token_embd.weight"][ids]
    for i in range(L):
        w = lambda name: W[f"blk.{i}.{name}.weight"]
        h = norm(x, w("attn_norm"))
        q = rope((h @ w("attn_q").T).view(t, H, HD).transpose(0, 1), cos, sin)
        k = rope((h @ w("attn_k").T).view(t, H, HD).transpose(0, 1), cos, sin)
        v = (h @ w("attn_v").T).view(t, H, HD).transpose(0, 1)
        attended = ((q @ k.transpose(-1, -2)) / math.sqrt(HD) + mask).softmax(-1) @ v
        x = x + attended.transpose(0, 1).reshape(t, D) @ w("attn_output").T
        h = norm(x, w("ffn_norm"))
        x = x + (F.silu(h @ w("ffn_gate").T) * (h @ w("ffn_up").T)) @ w("ffn_down").T
    return norm(x, W["output_norm.weight"]) @ W["token_embd.weight"].T


LABEL_WORDS = {"Buys", "Finds", "Gets", "Gives", "Loses", "Sells", "Doubles", "Keeps"}
stepwise = [e for e in index["examples"] if e["kind"] == "stepwise"]
words = [0, 0]
digits = [0, 0]
with torch.no_grad():
    for j in np.random.default_rng(0).choice(len(stepwise), 60, replace=False):
        e = stepwise[j]
        ids = torch.from_numpy(tokens[e["start"]: e["end"]])
        predicted = logits(ids).argmax(-1)
        for p in range(e["reply"] - e["start"], len(ids)):
            text = vocab[ids[p]].lstrip("Ġ ")
            tally = words if text in LABEL_WORDS else digits if text.isdigit() else None
            if tally is not None:
                tally[0] += int(predicted[p - 1] == ids[p])
                tally[1] += 1
print(f"{work} {step}: label words {words[0]}/{words[1]} = {words[0] / max(1, words[1]):.2f}; digits {digits[0]}/{digits[1]} = {digits[0] / max(1, digits[1]):.2f}")
