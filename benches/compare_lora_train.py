"""PyTorch + transformers + PEFT side of benches/compare_lora_train.sh.

    python compare_lora_train.py HF_BASE_DIR STEPS

Same shapes as hirelm's `train_speed` example: r=16, alpha=32, all seven projections, batch
4 x 256 tokens, AdamW (lr 2e-4, weight decay 0.01), gradient clipping at 1.0, f32, 2 threads.
"""
import json
import resource
import sys
import time

import torch
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM

BATCH, SEQ = 4, 256
base, steps = sys.argv[1], int(sys.argv[2])
torch.set_num_threads(2)
torch.manual_seed(0)
model = AutoModelForCausalLM.from_pretrained(base, torch_dtype=torch.float32)
config = LoraConfig(r=16, lora_alpha=32, lora_dropout=0.0, task_type="CAUSAL_LM",
                    target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"])
model = get_peft_model(model, config)
model.train()
vocab = model.config.vocab_size
ids = torch.tensor([[(row * 7919 + p * 104729) % vocab for p in range(SEQ + 1)] for row in range(BATCH)])
inputs, labels = ids[:, :SEQ], ids[:, 1:]
params = [p for p in model.parameters() if p.requires_grad]
opt = torch.optim.AdamW(params, lr=2e-4, weight_decay=0.01)


def step():
    logits = model(input_ids=inputs).logits
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, vocab), labels.reshape(-1))
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, 1.0)
    opt.step()
    opt.zero_grad(set_to_none=True)


step()
start = time.perf_counter()
for _ in range(steps):
    step()
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
print(json.dumps({"engine": f"PyTorch {torch.__version__} + PEFT", "tokens_per_second": BATCH * SEQ * steps / seconds,
                  "peak_rss_mib": peak, "steps": steps}))
