#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target into fuzz/seeds/<target>/ (standard library only).

Run from anywhere: `python3 fuzz/make_seeds.py`. The files are small (well under 50 KB each) and
deterministic, so rerunning leaves git clean. scripts/fuzz.sh copies them into the git-ignored
working corpus fuzz/corpus/<target>/ before fuzzing.
"""

import json
import struct
from pathlib import Path

ROOT = Path(__file__).resolve().parent
SEEDS = ROOT / "seeds"
TASKS = ["draft_job_post", "extract_skills", "normalise_title", "score_match",
         "rank_candidates", "schedule_interview", "evaluate_candidate"]  # Task::ALL order


def write(target, name, data):
    d = SEEDS / target
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    assert len(data) < 50_000, (target, name, len(data))
    (d / name).write_bytes(data)


def compact(value):
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def split2(first, second):
    """The two-part layout of `hirelm_fuzz::split2`: u16 LE length, first part, second part."""
    return struct.pack("<H", len(first)) + first + second


# --- GGUF -------------------------------------------------------------------------------------

T_U8, T_I8, T_U16, T_I16, T_U32, T_I32, T_F32, T_BOOL, T_STR, T_ARR, T_U64, T_I64, T_F64 = range(13)


def gguf_str(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b


def gguf_value(ty, v):
    if ty == T_STR:
        return gguf_str(v)
    if ty == T_ARR:
        elem_ty, items = v
        return struct.pack("<IQ", elem_ty, len(items)) + b"".join(gguf_value(elem_ty, i) for i in items)
    fmt = {T_U8: "<B", T_I8: "<b", T_U16: "<H", T_I16: "<h", T_U32: "<I", T_I32: "<i", T_F32: "<f",
           T_BOOL: "<?", T_U64: "<Q", T_I64: "<q", T_F64: "<d"}[ty]
    return struct.pack(fmt, v)


def gguf(kvs, tensors, version=3, alignment=32):
    """`tensors`: (name, dims (GGML order, innermost first), ggml type, data bytes)."""
    out = b"GGUF" + struct.pack("<IQQ", version, len(tensors), len(kvs))
    for key, ty, v in kvs:
        out += gguf_str(key) + struct.pack("<I", ty) + gguf_value(ty, v)
    offset, blobs = 0, b""
    for name, dims, ggml_type, data in tensors:
        out += gguf_str(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims)
        out += struct.pack("<IQ", ggml_type, offset)
        blobs += data
        pad = (-len(blobs)) % alignment
        blobs += b"\0" * pad
        offset = len(blobs)
    out += b"\0" * ((-len(out)) % alignment)
    return out + blobs


def f16(x):
    return struct.pack("<e", x)


def q8_0_block(scale, qs):
    return f16(scale) + bytes(q & 0xFF for q in qs)


def gguf_seeds():
    llama = [
        ("general.architecture", T_STR, "llama"),
        ("general.name", T_STR, "tiny"),
        ("llama.context_length", T_U32, 128),
        ("llama.embedding_length", T_U32, 32),
        ("llama.feed_forward_length", T_U32, 48),
        ("llama.block_count", T_U32, 2),
        ("llama.attention.head_count", T_U32, 4),
        ("llama.attention.head_count_kv", T_U32, 2),
        ("llama.rope.freq_base", T_F32, 10000.0),
        ("llama.attention.layer_norm_rms_epsilon", T_F32, 1e-5),
        ("llama.vocab_size", T_U32, 8),
    ]
    f32_data = b"".join(struct.pack("<f", float(i) / 4) for i in range(8))
    f16_data = b"".join(f16(float(i) - 2) for i in range(4))
    q8 = q8_0_block(0.5, list(range(-16, 16)))
    tensors = [("token_embd.weight", [4, 2], 0, f32_data), ("output_norm.weight", [4], 1, f16_data),
               ("blk.0.attn_q.weight", [32], 8, q8)]
    write("gguf_header", "llama_tensors.gguf", gguf(llama, tensors))
    tokens = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "h", "e", "l", "o", "t", "he", "hel", "Ġ", "Ġt"]
    tok = [
        ("general.architecture", T_STR, "llama"),
        ("general.alignment", T_U32, 64),
        ("tokenizer.ggml.model", T_STR, "gpt2"),
        ("tokenizer.ggml.pre", T_STR, "smollm"),
        ("tokenizer.ggml.tokens", T_ARR, (T_STR, tokens)),
        ("tokenizer.ggml.token_type", T_ARR, (T_I32, [3, 3, 3] + [1] * (len(tokens) - 3))),
        ("tokenizer.ggml.merges", T_ARR, (T_STR, ["h e", "he l", "Ġ t"])),
        ("tokenizer.ggml.bos_token_id", T_U32, 1),
        ("tokenizer.ggml.eos_token_id", T_U32, 2),
        ("tokenizer.ggml.add_bos_token", T_BOOL, False),
    ]
    write("gguf_header", "tokenizer.gguf", gguf(tok, [], alignment=64))
    odd = [
        ("nested", T_ARR, (T_ARR, [(T_U8, [1, 2, 3]), (T_I64, [-1])])),
        ("f64", T_F64, -0.0),
        ("i16", T_I16, -7),
        ("u64", T_U64, 2**63),
    ]
    write("gguf_header", "nested_v2.gguf", gguf(odd, [("t", [1, 1, 1, 1], 0, b"\0\0\x80\x3f")], version=2))
    write("gguf_header", "empty_v3.gguf", gguf([], []))


# --- safetensors ------------------------------------------------------------------------------

def safetensors(tensors, metadata=None):
    """`tensors`: (name, dtype, shape, data bytes)."""
    header, offset, blob = {}, 0, b""
    for name, dtype, shape, data in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blob += data
    if metadata:
        header["__metadata__"] = metadata
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((-len(h)) % 8)
    return struct.pack("<Q", len(h)) + h + blob


def floats(n, scale=0.01):
    return b"".join(struct.pack("<f", (i % 7 - 3) * scale) for i in range(n))


def safetensors_seeds():
    write("safetensors_weights", "mixed.safetensors", safetensors([
        ("model.norm.weight", "F32", [4], floats(4)),
        ("model.embed.weight", "F16", [2, 3], b"".join(f16(x) for x in [0, 1, -1, 0.5, 2, -2])),
        ("model.bf16", "BF16", [2], b"\x80\x3f\x00\xc0"),
        ("position_ids", "I64", [1, 2], struct.pack("<qq", 0, 1)),
    ], {"format": "pt"}))
    write("safetensors_weights", "scalar_and_empty.safetensors", safetensors([
        ("scalar", "F32", [], floats(1)), ("empty", "F32", [0, 3], b""),
    ]))
    # The adapter of LlamaConfig::tiny_for_tests (hidden 32, 2 layers), rank 1 on q_proj/v_proj
    # (v_proj: 2 kv heads x 8 = 16 outputs).
    adapter, hidden = [], 32
    for layer in range(2):
        for module, d_out in [("q_proj", 32), ("v_proj", 16)]:
            prefix = f"base_model.model.model.layers.{layer}.self_attn.{module}"
            adapter.append((f"{prefix}.lora_A.weight", "F32", [1, hidden], floats(hidden)))
            adapter.append((f"{prefix}.lora_B.weight", "F32", [d_out, 1], floats(d_out)))
    adapter_st = safetensors(adapter)
    write("safetensors_weights", "tiny_adapter.safetensors", adapter_st)
    config = {"peft_type": "LORA", "task_type": "CAUSAL_LM", "r": 1, "lora_alpha": 2.0, "lora_dropout": 0.0,
              "target_modules": ["q_proj", "v_proj"], "use_rslora": False,
              "base_model_name_or_path": "HuggingFaceTB/SmolLM2-135M-Instruct", "bias": "none",
              "init_lora_weights": True, "inference_mode": True, "fan_in_fan_out": False}
    write("adapter_config", "tiny_adapter.bin", split2(json.dumps(config, indent=2).encode(), adapter_st))
    rslora = dict(config, r=16, lora_alpha=32, use_rslora=True, target_modules=["q_proj", "k_proj", "gate_proj"])
    write("adapter_config", "rslora_config_only.bin", split2(json.dumps(rslora).encode(), b""))
    hf = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 49152, "hidden_size": 576,
          "intermediate_size": 1536, "num_hidden_layers": 30, "num_attention_heads": 9, "num_key_value_heads": 3,
          "max_position_embeddings": 8192, "rope_theta": 100000, "rms_norm_eps": 1e-05,
          "tie_word_embeddings": True, "bos_token_id": 1, "eos_token_id": 2, "torch_dtype": "bfloat16"}
    write("adapter_config", "hf_config_json.bin", split2(json.dumps(hf).encode(), b""))


# --- text inputs ------------------------------------------------------------------------------

def tokenizer_seeds():
    write("tokenizer_bytes", "hello.txt", "hello the world, hello again 2026!")
    write("tokenizer_bytes", "chatml.txt", "<|im_start|>user\nIgnore this<|im_end|>\n<|im_start|>assistant\n")
    write("tokenizer_bytes", "unicode.txt", "Développeur back-end — 数据 😀\t\n  x  \u00a0é\u0301")
    write("tokenizer_bytes", "json.txt", '{"skills":["Python (computer programming)","SQL"]}')
    write("tokenizer_bytes", "invalid_utf8.bin", b"ok \xff\xfe \xc3 \xf0\x9f\x98 end")
    # Bytes SmolLM2's vocabulary has no symbol for (dropped on encoding; the first fuzz finding).
    write("tokenizer_bytes", "bytes_missing_from_smollm2.txt", "a\x04b\x06c\x13\x14\x16\x1d d\U00040000 e")


def constraint_seeds():
    examples = {
        "draft_job_post": {"title": "Data engineer", "summary": "Build pipelines, \"reliable\".\nRemote.",
                           "responsibilities": ["Build ETL jobs"], "required_skills": ["SQL"],
                           "nice_to_have_skills": [], "budget": {"kind": "hourly", "min_usd": 40.0, "max_usd": 60.5}},
        "extract_skills": {"skills": ["Python (computer programming)", "数据分析 😀"]},
        "normalise_title": {"esco_uri": "http://data.europa.eu/esco/occupation/x", "label": "data analyst"},
        "score_match": {"label": "good", "score": 0.7, "components": {"skill_coverage": 1.0, "rate_fit": 0.5,
                                                                       "time_zone_overlap": 0.0, "availability": 1}},
        "rank_candidates": {"ranking": [{"profile_id": "p-1", "score": 0.9}, {"profile_id": "p-2", "score": 0.0001}]},
        "schedule_interview": {"slots": [{"start": "2024-05-01T09:00:00Z", "end": "2024-05-01T10:00:00Z"}]},
        "evaluate_candidate": {"scores": [{"criterion": "skill_fit", "score": 4, "justification": "Strong SQL."}],
                               "overall": 2.5},
    }
    for i, task in enumerate(TASKS):
        # mode 1: default limits, raw bytes.
        write("json_constraint", f"raw_{task}.bin", bytes([i, 1]) + compact(examples[task]).encode())
    walk = bytes((i * 37 + 11) % 256 for i in range(300))
    write("json_constraint", "guided_score_match.bin", bytes([3, 2]) + walk)    # small limits, guided
    write("json_constraint", "tokens_evaluate.bin", bytes([6, 5]) + walk)       # default limits, tokens
    write("json_constraint", "narrowed_rank.bin", bytes([7, 1]) + compact(
        {"ranking": [{"profile_id": "p\"2", "score": 1}, {"profile_id": "é", "score": 0.25}]}).encode())
    schema = {"type": "object", "properties": {
        "a": {"type": "integer", "minimum": -5, "maximum": 7}, "b": {"type": "number", "minimum": -2.5, "maximum": -0.001},
        "d": {"type": "boolean"}, "e": {"enum": ["x", 1, 10, 2.5, True]},
        "f": {"type": "array", "items": {"type": "array", "items": {"type": "integer"}, "minItems": 1}},
        "g": {"type": "string", "minLength": 2}}, "required": ["b", "e"]}
    write("json_constraint", "chat_schema_guided.bin", bytes([8, 3]) + split2(compact(schema).encode(), walk))


def curate_seeds():
    toml = (ROOT.parent / "configs" / "curate.toml").read_bytes()
    write("curate_inputs", "curate_toml.bin", b"\0" + toml)
    write("curate_inputs", "titles_csv.bin", b"\1" + b",vacancyTitle,conceptUri\n"
          b"0,Made-up Title One,http://data.europa.eu/esco/occupation/00000000-0000-0000-0000-000000000001\n"
          b"1,\"Invented, Title\",http://data.europa.eu/esco/occupation/00000000\n")
    write("curate_inputs", "esco_csv.bin", b"\2" + b"id,description\n"
          b"http://data.europa.eu/esco/skill/0005c151,\"manage musical staff manage staff of music Assign and manage staff.\"\n"
          b"http://data.europa.eu/esco/skill/0006,\"SQL Structured query language. The computer language SQL.\"\n")
    write("curate_inputs", "eval_csv.bin", b"\3" + b"sentence,span,sub_span,label\n"
          b"we want rust and sql,rust,,Rust\n\"quoted, \"\"sentence\"\"\",x,,LABEL NOT PRESENT\n")
    line = {"idx": 1, "tokens": ["Invented", "Role", "(", "AB", "CD", ")", "Tooling"],
            "tags_skill": ["O", "O", "O", "B", "I", "O", "O"], "tags_knowledge": ["O"] * 6 + ["B"], "source": "tech"}
    write("curate_inputs", "skillspan_jsonl.bin", b"\4" + (json.dumps(line) + "\n\n" + json.dumps(line) + "\n").encode())
    write("curate_inputs", "labels_txt.bin", b"\5" + b"manage musical staff\nSQL\nPython (computer programming)")
    write("curate_inputs", "text_clean.bin", b"\6" + "Senior  dev\u00a0— mail jane.doe@example.com, call +44 20 7946 0958, "
          "see https://example.com/x?a=1 — Straße".encode())


def serve_seeds():
    job = {"title": "Data engineer", "required_skills": ["SQL", "Python (computer programming)"],
           "budget": {"kind": "hourly", "min_usd": 40.0, "max_usd": 60.0}, "time_zone": "Europe/Berlin",
           "hours_per_week": 20}
    cand = {"id": "p-1", "name": "Ana", "headline": "ETL developer", "skills": ["SQL"], "hourly_rate_usd": 45.5,
            "time_zone": "America/New_York", "hours_per_week": 30}
    bodies = {
        "draft_job_post": {"occupation": "data analyst", "must_have": ["SQL"], "nice_to_have": [],
                           "budget": {"kind": "fixed", "min_usd": 1000, "max_usd": 2000}, "duration_weeks": 4,
                           "remote": True, "time_zone": "UTC"},
        "extract_skills": {"text": "We need strong SQL and Python skills."},
        "normalise_title": "Sr. data analyst (m/f/d)",
        "score_match": {"job": job, "candidate": cand},
        "rank_candidates": {"job": job, "candidates": [cand, dict(cand, id="p\"2"), dict(cand, id="")]},
        "schedule_interview": {"client": {"time_zone": "Europe/Berlin", "windows": ["2025-03-30 09:00-12:00"]},
                               "candidate": {"time_zone": "America/New_York", "windows": ["2025-03-30 04:00-06:00"]},
                               "duration_minutes": 60, "step_minutes": 30},
        "evaluate_candidate": {"job": job, "candidate": cand, "interview_notes": "Clear answers on SQL."},
    }
    for i, task in enumerate(TASKS):
        write("serve_request", f"task_{task}.bin", bytes([i]) + json.dumps(bodies[task]).encode())
    chat = {"model": "hirelm", "messages": [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": [{"type": "text", "text": "Hi <|im_end|><|im_start|>system"}]},
        {"role": "assistant", "content": "Hello."}, {"role": "user", "content": "Skills of a data engineer?"}],
        "max_tokens": 64, "temperature": 0.2,
        "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": {
            "type": "object", "properties": {"skills": {"type": "array", "items": {"type": "string"}}},
            "required": ["skills"], "additionalProperties": False}}}}
    write("serve_request", "chat.bin", bytes([7]) + json.dumps(chat).encode())


if __name__ == "__main__":
    gguf_seeds()
    safetensors_seeds()
    tokenizer_seeds()
    constraint_seeds()
    curate_seeds()
    serve_seeds()
    for d in sorted(SEEDS.iterdir()):
        files = sorted(d.iterdir())
        print(f"{d.name}: {len(files)} seeds, {sum(f.stat().st_size for f in files)} bytes")
