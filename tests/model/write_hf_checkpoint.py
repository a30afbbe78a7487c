#!/usr/bin/env python3
"""Writes a small Llama checkpoint laid out as Hugging Face publishes one: config.json,
generation_config.json, sharded BF16 safetensors and model.safetensors.index.json.

Standard library only, and none of mlbench's code: the C++ loader is checked against files another
program wrote. The weights come from this script's own PRNG (SplitMix64 -> uniform), so a seed
means the same checkpoint on every machine.

usage: write_hf_checkpoint.py OUT_DIR [--seed N] [--shards K]
"""
import json
import os
import struct
import sys

MASK = (1 << 64) - 1

CONFIG = {
    "architectures": ["LlamaForCausalLM"],
    "attention_bias": False,
    "attention_dropout": 0.0,
    "bos_token_id": 90,
    "eos_token_id": [91, 92],
    "head_dim": 16,
    "hidden_act": "silu",
    "hidden_size": 64,
    "initializer_range": 0.02,
    "intermediate_size": 96,
    "max_position_embeddings": 128,
    "mlp_bias": False,
    "model_type": "llama",
    "num_attention_heads": 4,
    "num_hidden_layers": 2,
    "num_key_value_heads": 2,
    "pretraining_tp": 1,
    "rms_norm_eps": 1e-05,
    "rope_scaling": {
        "factor": 8.0,
        "high_freq_factor": 4.0,
        "low_freq_factor": 1.0,
        "original_max_position_embeddings": 16,
        "rope_type": "llama3",
    },
    "rope_theta": 10000.0,
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
    "transformers_version": "4.43.0.dev0",
    "use_cache": True,
    "vocab_size": 96,
}


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def uniform(self):
        """A float in [-1, 1)."""
        return (self.next() >> 11) * 2.0 ** -52 - 1.0


def bf16_bits(value):
    """Round-to-nearest-even float32 -> bfloat16, as torch does."""
    bits = struct.unpack("<I", struct.pack("<f", value))[0]
    return (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16


def tensors(config):
    """(name, shape) in the order Hugging Face's state dict lists them."""
    h = config["hidden_size"]
    i = config["intermediate_size"]
    hd = config["head_dim"]
    q = config["num_attention_heads"] * hd
    kv = config["num_key_value_heads"] * hd
    out = [("model.embed_tokens.weight", [config["vocab_size"], h])]
    for layer in range(config["num_hidden_layers"]):
        p = f"model.layers.{layer}."
        out += [
            (p + "self_attn.q_proj.weight", [q, h]),
            (p + "self_attn.k_proj.weight", [kv, h]),
            (p + "self_attn.v_proj.weight", [kv, h]),
            (p + "self_attn.o_proj.weight", [h, q]),
            (p + "mlp.gate_proj.weight", [i, h]),
            (p + "mlp.up_proj.weight", [i, h]),
            (p + "mlp.down_proj.weight", [h, i]),
            (p + "input_layernorm.weight", [h]),
            (p + "post_attention_layernorm.weight", [h]),
        ]
    out += [("model.norm.weight", [h]), ("lm_head.weight", [config["vocab_size"], h])]
    return out


def tensor_bytes(rng, name, shape):
    count = 1
    for d in shape:
        count *= d
    if name.endswith("norm.weight"):
        values = [1.0 + 0.2 * rng.uniform() for _ in range(count)]
    else:
        values = [0.4 * rng.uniform() for _ in range(count)]  # std ~0.23: attention far from uniform
    return struct.pack(f"<{count}H", *(bf16_bits(v) for v in values))


def write_shard(path, named_data):
    """A safetensors file; the data block holds the tensors in reverse header order, so the
    reader must go by data_offsets, not by position."""
    header = {"__metadata__": {"format": "pt"}}
    offset = 0
    placed = []
    for name, shape, data in reversed(named_data):
        placed.append((name, shape, data, offset))
        offset += len(data)
    for name, shape, data, begin in sorted(placed):
        header[name] = {"dtype": "BF16", "shape": shape, "data_offsets": [begin, begin + len(data)]}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the Rust writer pads the header to 8 bytes
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for _, _, data, _ in sorted(placed, key=lambda p: p[3]):
            f.write(data)


def main(argv):
    args = argv[1:]
    if not args or args[0].startswith("-"):
        sys.exit(__doc__)
    out = args[0]
    seed, shards = 1, 3
    rest = args[1:]
    while rest:
        flag, value = rest[0], int(rest[1])
        if flag == "--seed":
            seed = value
        elif flag == "--shards":
            shards = value
        else:
            sys.exit(f"unknown flag {flag}")
        rest = rest[2:]
    os.makedirs(out, exist_ok=True)
    rng = SplitMix64(seed)
    items = [(name, shape, tensor_bytes(rng, name, shape)) for name, shape in tensors(CONFIG)]
    per_shard = -(-len(items) // shards)
    weight_map = {}
    total = 0
    for s in range(shards):
        part = items[s * per_shard:(s + 1) * per_shard]
        file_name = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
        write_shard(os.path.join(out, file_name), part)
        for name, _, data in part:
            weight_map[name] = file_name
            total += len(data)
    index = {"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}
    with open(os.path.join(out, "model.safetensors.index.json"), "w") as f:
        json.dump(index, f, indent=2)
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(CONFIG, f, indent=2)
    generation = {"bos_token_id": 90, "do_sample": False, "eos_token_id": [91, 92, 93],
                  "transformers_version": "4.43.0.dev0"}
    with open(os.path.join(out, "generation_config.json"), "w") as f:
        json.dump(generation, f, indent=2)


if __name__ == "__main__":
    main(sys.argv)
