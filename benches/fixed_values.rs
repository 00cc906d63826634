//! Inputs of the criterion benches: pseudo-random values from a fixed seed, so runs compare.
//! Included by each bench with `#[path = "fixed_values.rs"] mod fixed_values;`.

/// `n` values in [-1, 1) from a fixed xorshift seed.
pub fn values(n: usize, seed: u32) -> Vec<f32> {
    let mut state = seed;
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state as f32 / u32::MAX as f32) * 2.0 - 1.0
        })
        .collect()
}
