//! Integration tests of `hirelm-model` (one test binary, one module per topic).

mod bert;
mod common;
mod gguf;
mod golden_llamacpp;
mod tiny_llama;
