#!/usr/bin/env python3
"""Hugging Face transformers' generate on the same random model and shapes as `cuda_bench perf`,
for the side-by-side the CUDA backend issue asks for. Greedy, bf16, on GPU 0; prompts of
--prompt random ids below the special tokens, exactly --decode new tokens each.

    python3 bench/cuda_hf_generate.py MODEL_DIR [--prompt 800] [--decode 128] [--batches 1,16,64]

Prints batch-1 decode tokens/s and, per batch size, output tokens/s; the best of those is the
Offline figure cuda_bench's is held against (target: at least 3x).
"""
import argparse
import time

import torch
from transformers import AutoModelForCausalLM


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model_dir")
    parser.add_argument("--prompt", type=int, default=800)
    parser.add_argument("--decode", type=int, default=128)
    parser.add_argument("--batches", default="1,16,64")
    args = parser.parse_args()

    model = AutoModelForCausalLM.from_pretrained(args.model_dir, dtype=torch.bfloat16).cuda()
    model.eval()
    limit = model.config.bos_token_id or model.config.vocab_size
    generator = torch.Generator().manual_seed(0)

    def run(batch):
        ids = torch.randint(0, limit, (batch, args.prompt), generator=generator).cuda()
        torch.cuda.synchronize()
        start = time.perf_counter()
        with torch.no_grad():
            out = model.generate(ids, attention_mask=torch.ones_like(ids), do_sample=False,
                                 max_new_tokens=args.decode, min_new_tokens=args.decode,
                                 pad_token_id=0)
        torch.cuda.synchronize()
        elapsed = time.perf_counter() - start
        return (out.shape[1] - args.prompt) * batch / elapsed, elapsed

    run(1)  # warm-up
    best = 0.0
    for batch in [int(b) for b in args.batches.split(",")]:
        try:
            tps, elapsed = run(batch)
        except torch.cuda.OutOfMemoryError:
            print(f"batch {batch}: out of memory")
            torch.cuda.empty_cache()
            continue
        best = max(best, tps)
        label = "batch-1 decode (prefill included)" if batch == 1 else f"batch {batch}"
        print(f"transformers {label}: {tps:.1f} output tokens/s ({elapsed:.2f} s)")
    print(f"transformers best: {best:.1f} output tokens/s")


if __name__ == "__main__":
    main()
