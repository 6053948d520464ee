"""A probe of the vocabulary (not a shipped path): rewrites a critic curriculum's token ids with whole numbers and
words as single tokens (" 24", " Loses", "Step" then " 2"), where the demo tokenizer makes every digit and space a
token of its own, so that finding a line of the prompt needs a match on fewer, rarer tokens. Writes tokens.u16,
index.json and vocab.json into .cache/train-demo/<out> for `train.py --work <out>` (from scratch: the vocabulary is
new) and copy-probe.py. llama.cpp cannot read this vocabulary as it stands: a critic worth shipping would need it
as a GGUF tokenizer.

    /usr/bin/python3 scripts/train-demo/retokenize.py [curriculum folder, default critic-scramble3] [out, default wholetok]
"""
import collections, json, os, re, sys
import numpy as np

CACHE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".cache", "train-demo")
source = os.path.join(CACHE, sys.argv[1] if len(sys.argv) > 1 else "critic-scramble3")
out = os.path.join(CACHE, sys.argv[2] if len(sys.argv) > 2 else "wholetok")
vocab = json.load(open(os.path.join(CACHE, "tokenizer.json")))["tokens"] + ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]

# GPT-2's byte-to-character table, inverted: the demo vocabulary's pieces back to bytes.
printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
chars, extra = printable[:], 0
for b in range(256):
    if b not in printable:
        printable.append(b); chars.append(256 + extra); extra += 1
byte_of = {chr(c): b for b, c in zip(printable, chars)}


def decode(ids):
    out = bytearray()
    for i in ids:
        piece = vocab[i]
        out += piece.encode() if piece.startswith("<|") else bytes(byte_of[ch] for ch in piece)
    return out.decode("utf-8")


PIECES = re.compile(r"<\|im_start\|>|<\|im_end\|>|<\|endoftext\|>| ?\d+| ?[A-Za-z]+|\n| ?[^\sA-Za-z\d<]+|<| +")
index = json.load(open(os.path.join(source, "index.json")))
tokens = np.fromfile(os.path.join(source, "tokens.u16"), dtype=np.uint16)
split = [(e["kind"], PIECES.findall(decode(tokens[e["start"]: e["reply"]])), PIECES.findall(decode(tokens[e["reply"]: e["end"]]))) for e in index["examples"]]
new_vocab = ["<unk>"] + sorted(collections.Counter(p for _, prompt, reply in split for p in prompt + reply))
id_of = {piece: i for i, piece in enumerate(new_vocab)}
ids, examples = [], []
for kind, prompt, reply in split:
    start = len(ids)
    ids += [id_of[p] for p in prompt]
    middle = len(ids)
    ids += [id_of[p] for p in reply]
    examples.append({"kind": kind, "start": start, "reply": middle, "end": len(ids)})
os.makedirs(out, exist_ok=True)
np.array(ids, dtype=np.uint16).tofile(os.path.join(out, "tokens.u16"))
json.dump({"shape": index["shape"], "vocab": len(new_vocab), "examples": examples}, open(os.path.join(out, "index.json"), "w"))
json.dump(new_vocab, open(os.path.join(out, "vocab.json"), "w"))
print(f"{len(new_vocab)} tokens; {len(ids) / len(examples):.0f} a conversation (was {len(tokens) / len(examples):.0f}) -> {out}")
