//! A hostile GGUF file: `GgufFile::from_bytes`, then every metadata getter, every tensor's
//! bytes and dequantisation, and the configs and tokenizer built from the metadata. All of it
//! must return errors, never panic or allocate more than the input can justify.
#![no_main]

use hirelm_model::TextTokenizer;
use hirelm_model::gguf::GgufFile;
use hirelm_model::llama::LlamaConfig;
use libfuzzer_sys::fuzz_target;

/// Keys the loaders read, plus whatever keys the file itself has.
const KEYS: [&str; 10] = [
    "general.architecture",
    "general.alignment",
    "llama.context_length",
    "llama.embedding_length",
    "llama.rope.freq_base",
    "tokenizer.ggml.model",
    "tokenizer.ggml.tokens",
    "tokenizer.ggml.merges",
    "tokenizer.ggml.token_type",
    "tokenizer.ggml.bos_token_id",
];

fuzz_target!(|data: &[u8]| {
    let Ok(file) = GgufFile::from_bytes(data.to_vec()) else {
        return;
    };
    let _ = format!("{file:?}");
    let keys: Vec<String> = file.metadata.iter().map(|(k, _)| k.clone()).collect();
    for key in keys.iter().map(String::as_str).chain(KEYS) {
        if let Some(value) = file.get(key) {
            let _ = (
                value.as_u64(),
                value.as_f64(),
                value.as_str(),
                value.as_bool(),
                value.type_name(),
            );
            let _ = value.as_array().map(<[_]>::len);
        }
        let _ = file.get_u64(key);
        let _ = file.get_f64(key);
        let _ = file.get_str(key);
        let _ = file.get_str_array(key);
    }
    let _ = file.architecture();
    for info in &file.tensors {
        let found = file
            .tensor(&info.name)
            .expect("a listed tensor is found by name");
        assert_eq!(found.name, info.name);
        let _ = (
            info.shape(),
            info.n_elements(),
            info.checked_n_elements(),
            info.n_bytes(),
        );
        if let Ok(bytes) = file.tensor_data(info) {
            assert_eq!(Some(bytes.len()), info.n_bytes());
            if let Ok(values) = file.dequantize(&info.name) {
                assert_eq!(values.len(), info.n_elements(), "tensor `{}`", info.name);
            }
        }
    }
    if let Ok(config) = LlamaConfig::from_gguf(&file) {
        let _ = config.validate();
    }
    if let Ok(tokenizer) = TextTokenizer::from_gguf(&file) {
        let _ = tokenizer.vocab_size();
        if let Ok(ids) = tokenizer.encode("hello <|im_end|> 2026", true, true) {
            let _ = tokenizer.decode(&ids, false);
        }
    }
    hirelm_fuzz::keep_linked();
});
