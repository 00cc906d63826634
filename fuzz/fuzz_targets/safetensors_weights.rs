//! A hostile `.safetensors` file through `SafetensorsWeights` (the path every checkpoint and
//! adapter load takes): open, list, look up and decode every tensor to `f32`.
#![no_main]

use hirelm_model::weights::{SafetensorsWeights, WeightSource};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The reader memory-maps a path, so the bytes go through a scratch file.
    let path = hirelm_fuzz::scratch_file("weights.safetensors", data);
    let Ok(weights) = SafetensorsWeights::open(&path) else {
        return;
    };
    let _ = format!("{weights:?}");
    for name in weights.names() {
        assert!(weights.contains(&name));
        let (_, shape) = weights.info(&name).expect("a listed tensor has info");
        let shape = shape.to_vec();
        if let Ok((got_shape, values)) = weights.tensor_f32(&name) {
            assert_eq!(got_shape, shape, "tensor `{name}`");
            let n: usize = shape.iter().product();
            assert_eq!(values.len(), n, "tensor `{name}`: values for its shape");
        }
    }
    assert!(weights.tensor_f32("no.such.tensor").is_err());
});
