//! Integration tests of `hirelm-train` on tiny random Llama models built by the tests.

mod adapters;
mod frozen_head;
mod training;
mod train_run;
