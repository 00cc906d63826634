//! Shared pieces of the fuzz targets in `fuzz_targets/`: an allocation cap, the tokenizers, a
//! byte vocabulary and a scratch directory for readers that only open paths.
//!
//! Every target links this crate, so its global allocator applies to all of them.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use hirelm_infer::constrain::TokenVocab;
use hirelm_model::TextTokenizer;
use hirelm_model::gguf::{GgufFile, GgufWriter, MetadataValue};

/// Largest single allocation a target may make. libFuzzer's `-malloc_limit_mb` needs a sanitizer
/// runtime; this cap works without one and is far below `-rss_limit_mb`, so a parser that sizes
/// a buffer from a declared (hostile) length is reported at once, not only if it touches it.
pub const MAX_ALLOCATION: usize = 256 << 20;

/// [`System`], aborting with a message on any allocation over [`MAX_ALLOCATION`].
#[derive(Debug)]
pub struct CappedAlloc;

fn too_large(size: usize) -> ! {
    // No allocation here: write a fixed message and abort (libFuzzer reports a crash).
    let msg = b"==fuzz== single allocation over MAX_ALLOCATION (256 MiB): unbounded allocation\n";
    // SAFETY: writing a static buffer to stderr.
    unsafe { libc_write(2, msg.as_ptr(), msg.len()) };
    let _ = size;
    std::process::abort()
}

unsafe extern "C" {
    #[link_name = "write"]
    fn libc_write(fd: i32, buf: *const u8, count: usize) -> isize;
}

// SAFETY: defers to `System` for every allocation it allows.
unsafe impl GlobalAlloc for CappedAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.size() > MAX_ALLOCATION {
            too_large(layout.size());
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.size() > MAX_ALLOCATION {
            too_large(layout.size());
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > MAX_ALLOCATION {
            too_large(new_size);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: CappedAlloc = CappedAlloc;

/// The symbol of byte `b` in the GPT-2 byte-level BPE alphabet (printable bytes stand for
/// themselves, the others for U+0100 onwards in byte order).
pub fn byte_symbol(b: u8) -> char {
    let printable = |x: u8| (33..=126).contains(&x) || (161..=172).contains(&x) || x >= 174;
    if printable(b) {
        char::from(b)
    } else {
        let n = (0..b).filter(|&x| !printable(x)).count() as u32;
        char::from_u32(256 + n).unwrap_or(char::REPLACEMENT_CHARACTER)
    }
}

/// GGUF bytes of a tiny byte-level BPE vocabulary: the 256 byte symbols, a few merges and the
/// ChatML control tokens, in SmolLM2's metadata layout.
pub fn tiny_tokenizer_gguf() -> Vec<u8> {
    let mut symbols: Vec<String> = (0..=255u8).map(|b| byte_symbol(b).to_string()).collect();
    let mut types = vec![MetadataValue::I32(1); symbols.len()];
    for merged in [
        "he", "hel", "hell", "hello", "Ġt", "Ġth", "Ġthe", "{\"", "\":",
    ] {
        symbols.push(merged.to_string());
        types.push(MetadataValue::I32(1));
    }
    for control in ["<|endoftext|>", "<|im_start|>", "<|im_end|>"] {
        symbols.push(control.to_string());
        types.push(MetadataValue::I32(3));
    }
    let merges = [
        "h e", "he l", "hel l", "hell o", "Ġ t", "Ġt h", "Ġth e", "{ \"", "\" :",
    ];
    let strings =
        |v: Vec<String>| MetadataValue::Array(v.into_iter().map(MetadataValue::String).collect());
    let n_tokens = symbols.len() as u32;
    let mut w = GgufWriter::new();
    w.add_metadata("general.architecture", "llama".into())
        .add_metadata("tokenizer.ggml.model", "gpt2".into())
        .add_metadata("tokenizer.ggml.pre", "smollm".into())
        .add_metadata("tokenizer.ggml.tokens", strings(symbols))
        .add_metadata("tokenizer.ggml.token_type", MetadataValue::Array(types))
        .add_metadata(
            "tokenizer.ggml.merges",
            strings(merges.iter().map(|s| s.to_string()).collect()),
        )
        .add_metadata(
            "tokenizer.ggml.bos_token_id",
            MetadataValue::U32(n_tokens - 2),
        )
        .add_metadata(
            "tokenizer.ggml.eos_token_id",
            MetadataValue::U32(n_tokens - 1),
        );
    w.to_bytes()
}

/// The tiny tokenizer of [`tiny_tokenizer_gguf`], built once.
pub fn tiny_tokenizer() -> &'static TextTokenizer {
    static TOK: OnceLock<TextTokenizer> = OnceLock::new();
    TOK.get_or_init(|| {
        let file = GgufFile::from_bytes(tiny_tokenizer_gguf()).expect("the tiny GGUF parses");
        TextTokenizer::from_gguf(&file).expect("the tiny tokenizer builds")
    })
}

/// SmolLM2's real tokenizer when `models/` has the GGUF (scripts/fetch-models.sh), else `None`.
pub fn real_tokenizer() -> Option<&'static TextTokenizer> {
    static TOK: OnceLock<Option<TextTokenizer>> = OnceLock::new();
    TOK.get_or_init(|| {
        let path = hirelm_model::fetched_model(hirelm_model::SMOLLM2_GGUF).ok()?;
        let file = GgufFile::open(&path).ok()?;
        TextTokenizer::from_gguf(&file).ok()
    })
    .as_ref()
}

/// Every single byte (ids 0..=255), EOS (256, no bytes), then multi-byte tokens that split
/// UTF-8 characters and span JSON structure (as the constraint's own walk tests).
pub fn byte_vocab() -> (Arc<TokenVocab>, u32) {
    static VOCAB: OnceLock<Arc<TokenVocab>> = OnceLock::new();
    let vocab = VOCAB.get_or_init(|| {
        let mut tokens: Vec<Option<Vec<u8>>> = (0..=255u8).map(|b| Some(vec![b])).collect();
        tokens.push(None);
        let extra: [&[u8]; 24] = [
            b"{\"",
            b"\":\"",
            b"\",\"",
            b"\"}",
            b"\"]",
            b"\"]}",
            b"},{\"",
            b"0.",
            b"1.0",
            b"\":[",
            b"\":{\"",
            b"good",
            b"strong",
            b"skill",
            b"_fit",
            b"\\u00",
            b"\\n",
            "é".as_bytes(),
            b"\xc3",
            b"\xa9\"",
            "😀".as_bytes(),
            b"\xf0\x9f",
            b"\x98\x80",
            b"true",
        ];
        tokens.extend(extra.iter().map(|t| Some(t.to_vec())));
        Arc::new(TokenVocab::from_bytes(tokens))
    });
    (vocab.clone(), 256)
}

/// A per-process scratch directory (kept for the life of the process).
pub fn scratch_dir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        tempfile::Builder::new()
            .prefix("hirelm-fuzz")
            .tempdir()
            .expect("temp dir")
    })
    .path()
}

/// Writes `bytes` to `name` in [`scratch_dir`] and returns the path.
pub fn scratch_file(name: &str, bytes: &[u8]) -> PathBuf {
    let path = scratch_dir().join(name);
    std::fs::write(&path, bytes).expect("scratch file written");
    path
}

/// Splits `data` in two at a length given by its first two bytes (little-endian), for targets
/// that take two files.
pub fn split2(data: &[u8]) -> (&[u8], &[u8]) {
    if data.len() < 2 {
        return (data, &[]);
    }
    let n = usize::from(u16::from_le_bytes([data[0], data[1]])).min(data.len() - 2);
    data[2..].split_at(n)
}

/// Does nothing; targets that need no other helper call it so this crate (and with it the
/// capped allocator) is linked.
#[inline(never)]
pub fn keep_linked() {
    std::hint::black_box(&GLOBAL);
}
