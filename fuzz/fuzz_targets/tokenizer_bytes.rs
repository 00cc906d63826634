//! Arbitrary text (bytes read as lossy UTF-8) through `TextTokenizer`: encode then decode must
//! give the text back (less the bytes the vocabulary lacks), with and without parsing special
//! tokens; plain-text encoding must never
//! produce a control token; and ChatML encoding of the text as a user message must keep it to
//! the template's own control tokens. Runs on a tiny BPE tokenizer always and on SmolLM2's real
//! one when `models/` has it.
#![no_main]

use hirelm_model::{ChatMessage, ChatTemplate, Role, TextTokenizer};
use libfuzzer_sys::fuzz_target;

/// What a round trip gives back: `text` without the bytes the vocabulary has no symbol for.
/// Byte-level BPE without `byte_fallback` or an unknown token drops such bytes, as HF
/// `tokenizers` does with the same vocabulary; SmolLM2's lacks 21 of the 256 (0x04, 0x06, 0x13,
/// 0x14, 0x16, 0x1D, 0xC0, 0xC1, 0xF1, 0xF2, 0xF5..=0xFF); the ByteLevel decoder then reads the
/// rest as lossy UTF-8.
fn expected(tokenizer: &TextTokenizer, text: &str) -> String {
    let kept: Vec<u8> = text
        .bytes()
        .filter(|&b| {
            tokenizer
                .token_id(&hirelm_fuzz::byte_symbol(b).to_string())
                .is_some()
        })
        .collect();
    String::from_utf8_lossy(&kept).into_owned()
}

fn check(tokenizer: &TextTokenizer, text: &str) {
    let expected = expected(tokenizer, text);
    let plain = tokenizer
        .encode(text, false, false)
        .expect("any text encodes");
    let back = tokenizer.decode(&plain, false).expect("encoded ids decode");
    assert_eq!(back, expected, "plain round trip, ids {plain:?}");
    let controls: Vec<u32> = ["<|im_start|>", "<|im_end|>", "<|endoftext|>"]
        .iter()
        .filter_map(|t| tokenizer.token_id(t))
        .collect();
    assert!(
        !plain.iter().any(|id| controls.contains(id)),
        "user text produced a control token: {plain:?}"
    );

    let special = tokenizer
        .encode(text, true, true)
        .expect("any text encodes");
    let skip_bos = usize::from(
        tokenizer.add_bos
            && tokenizer.bos_id.is_some()
            && special.first() == tokenizer.bos_id.as_ref(),
    );
    let back = tokenizer
        .decode(&special[skip_bos..], false)
        .expect("encoded ids decode");
    assert_eq!(
        back, expected,
        "round trip with special tokens parsed, ids {special:?}"
    );

    let messages = [ChatMessage::new(Role::User, text)];
    let template = ChatTemplate::default();
    let chat = template
        .encode(tokenizer, &messages, true)
        .expect("a chat encodes");
    assert_eq!(chat.ids.len(), chat.assistant_mask.len());
    let starts = tokenizer.token_id("<|im_start|>").expect("im_start");
    let ends = tokenizer.token_id("<|im_end|>").expect("im_end");
    // system + user turns, then the generation prompt: 3 starts and 2 ends, whatever the text.
    assert_eq!(
        chat.ids.iter().filter(|&&id| id == starts).count(),
        3,
        "injected <|im_start|>"
    );
    assert_eq!(
        chat.ids.iter().filter(|&&id| id == ends).count(),
        2,
        "injected <|im_end|>"
    );
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    check(hirelm_fuzz::tiny_tokenizer(), &text);
    if let Some(real) = hirelm_fuzz::real_tokenizer() {
        check(real, &text);
    }
});
