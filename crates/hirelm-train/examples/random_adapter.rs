//! Writes a random (non-zero) PEFT adapter for a GGUF base model, to exercise `hirelm adapter`
//! without training: `cargo run --release -p hirelm-train --example random_adapter -- BASE.gguf OUT_DIR`.

use hirelm_model::PretrainedLlama;
use hirelm_model::burn::module::Param;
use hirelm_model::burn::tensor::{Device, Tensor};
use hirelm_train::{LoraConfig, attach_fresh, projections_mut, save_adapter};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, base, out] = args.as_slice() else {
        return Err("usage: random_adapter BASE.gguf OUT_DIR".into());
    };
    let device = Device::flex();
    let mut lm = PretrainedLlama::load(base, &device)?;
    let lora = LoraConfig {
        rank: 8,
        alpha: 16.0,
        base_model: base.clone(),
        ..Default::default()
    };
    attach_fresh(&mut lm.model, &lora, 42, &device)?;
    for (_, _, linear) in projections_mut(&mut lm.model) {
        if let Some(adapter) = linear.adapter.as_mut() {
            let dims = adapter.b.dims();
            adapter.b = Param::from_tensor(Tensor::<2>::ones(dims, &device).mul_scalar(0.01));
        }
    }
    let n = save_adapter(&mut lm.model, &lora, std::path::Path::new(out))?;
    println!("wrote {n} adapters to {out}");
    Ok(())
}
