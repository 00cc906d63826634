//! Integration tests of `hirelm-train` on tiny random Llama and BERT models built by the tests.

mod adapters;
mod contrastive;
mod frozen_head;
mod train_run;
mod training;
