//! Integration tests of `hirelm-infer`, one binary (ripgrep style).

mod chat;
mod common;
mod domain;
mod engine;
mod gemma3;
mod golden;
mod golden_gemma3;
mod golden_smollm2;
mod kernel_paths;
mod score;
mod tasks;
