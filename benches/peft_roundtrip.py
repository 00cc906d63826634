#!/usr/bin/env python3
"""Python half of benches/peft_roundtrip.sh: compares hirelm's LoRA adapters with PEFT's.

phase "ours":   load DIR/base with transformers, apply our adapter DIR/ours with PEFT, compare
                the logits with hirelm's DIR/ours_logits.json.
phase "theirs": create a random PEFT LoRA adapter on DIR/base, save it to DIR/theirs and write
                PEFT's logits to DIR/theirs_logits_peft.json.
phase "compare": compare DIR/theirs_logits_peft.json with hirelm's DIR/theirs_logits_hirelm.json.
"""
import json
import sys

import torch


def model_logits(model, ids):
    with torch.no_grad():
        return model(torch.tensor([ids])).logits[0].float().numpy().reshape(-1)


def max_diff(a, b):
    import numpy as np
    return float(np.max(np.abs(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64))))


def main():
    phase, d = sys.argv[1], sys.argv[2]
    if phase == "compare":
        ref = json.load(open(f"{d}/theirs_logits_peft.json"))
        ours = json.load(open(f"{d}/theirs_logits_hirelm.json"))
        diff = max_diff(ref["logits"], ours["logits"])
        print(f"PEFT adapter loaded by hirelm: max |logit difference| = {diff:.2e}")
        return 0 if diff < 1e-3 else 1
    from peft import LoraConfig, PeftModel, get_peft_model
    from transformers import LlamaForCausalLM

    base = LlamaForCausalLM.from_pretrained(f"{d}/base", torch_dtype=torch.float32).eval()
    if phase == "ours":
        ours = json.load(open(f"{d}/ours_logits.json"))
        base_logits = model_logits(base, ours["ids"])
        model = PeftModel.from_pretrained(base, f"{d}/ours").eval()
        # The check only means something if the adapter moves the logits well beyond the tolerance.
        print(f"hirelm adapter effect: max |adapted - base| = {max_diff(base_logits, ours['logits']):.2e}")
        diff = max_diff(model_logits(model, ours["ids"]), ours["logits"])
        print(f"hirelm adapter loaded by PEFT: max |logit difference| = {diff:.2e}")
        return 0 if diff < 1e-3 else 1
    if phase == "theirs":
        ids = json.load(open(f"{d}/ours_logits.json"))["ids"]
        torch.manual_seed(3)
        config = LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj", "down_proj"],
                            init_lora_weights=False, lora_dropout=0.0, task_type="CAUSAL_LM")
        base_logits = model_logits(base, ids)
        model = get_peft_model(base, config).eval()
        for name, p in model.named_parameters():
            if "lora_B" in name:
                torch.nn.init.uniform_(p, -0.01, 0.01)
        print(f"PEFT adapter effect: max |adapted - base| = {max_diff(base_logits, model_logits(model, ids)):.2e}")
        model.save_pretrained(f"{d}/theirs")
        json.dump({"ids": ids, "logits": model_logits(model, ids).tolist()}, open(f"{d}/theirs_logits_peft.json", "w"))
        return 0
    raise SystemExit(f"unknown phase {phase}")


if __name__ == "__main__":
    sys.exit(main())
