//! Known-answer tests for the K-quant kernels.
//!
//! Each test packs chosen scales and quants into a block following the layout diagrams (the
//! inverse of what the kernels do), then checks every element against a per-element formula
//! written from the format definition: element `e` -> which byte, which bits, which scale. Scales
//! are powers of two so the expected values are exact. A few values are also worked out by hand.

use super::*;

const F16_HALF: [u8; 2] = [0x00, 0x38]; // 0.5
const F16_QUARTER: [u8; 2] = [0x00, 0x34]; // 0.25

/// Deterministic pseudo-random bytes (xorshift), so the tests cover every bit position.
fn noise(n: usize, seed: u32) -> Vec<u8> {
    let mut s = seed.max(1);
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            (s >> 24) as u8
        })
        .collect()
}

/// Packs 8 six-bit scales and 8 six-bit mins into the 12 bytes of Q4_K / Q5_K, per the diagram
/// `0..4: MMSSSSSS` (scale j, top bits of scale j+4), `4..8` likewise for mins,
/// `8..12: mmmmssss` (low nibbles of scale/min j+4).
fn pack_k4_scales(sc: [u8; 8], m: [u8; 8]) -> [u8; 12] {
    let mut p = [0u8; 12];
    for j in 0..4 {
        p[j] = sc[j] | ((sc[j + 4] >> 4) << 6);
        p[j + 4] = m[j] | ((m[j + 4] >> 4) << 6);
        p[j + 8] = (sc[j + 4] & 0xF) | ((m[j + 4] & 0xF) << 4);
    }
    p
}

/// Packs 16 six-bit Q3_K scales: bytes 0..8 hold the low nibbles of scales `i` and `i + 8`,
/// byte `8 + i` holds the top two bits of scales `i`, `i + 4`, `i + 8`, `i + 12`.
fn pack_q3_scales(s: [u8; 16]) -> [u8; 12] {
    let mut p = [0u8; 12];
    for i in 0..8 {
        p[i] = (s[i] & 0xF) | ((s[i + 8] & 0xF) << 4);
    }
    for i in 0..4 {
        for k in 0..4 {
            p[8 + i] |= (s[i + 4 * k] >> 4) << (2 * k);
        }
    }
    p
}

fn six_bit_values(seed: u32) -> [u8; 16] {
    let mut v = [0u8; 16];
    for (v, n) in v.iter_mut().zip(noise(16, seed)) {
        *v = n & 63;
    }
    v[0] = 63; // exercise the top bits
    v
}

#[test]
fn q2_k_known_answer() {
    let scales = noise(16, 1);
    let qs = noise(64, 2);
    let mut b = [0u8; 84];
    b[..16].copy_from_slice(&scales);
    b[16..80].copy_from_slice(&qs);
    b[80..82].copy_from_slice(&F16_HALF);
    b[82..84].copy_from_slice(&F16_QUARTER);
    let mut y = [0.0; QK_K];
    q2_k(&b, &mut y);
    for e in 0..QK_K {
        // 128-element halves use 32 bytes each; within a half, element r uses bits 2*(r/32).
        let (n, r) = (e / 128, e % 128);
        let q = (qs[n * 32 + r % 32] >> (2 * (r / 32))) & 3;
        let sc = scales[e / 16];
        let expected = 0.5 * f32::from(sc & 0xF) * f32::from(q) - 0.25 * f32::from(sc >> 4);
        assert_eq!(y[e], expected, "element {e}");
    }
    // By hand: element 0 uses scales[0] and the low 2 bits of qs[0].
    let (sc, q) = (scales[0], qs[0] & 3);
    assert_eq!(
        y[0],
        0.5 * f32::from(sc & 15) * f32::from(q) - 0.25 * f32::from(sc >> 4)
    );
}

#[test]
fn q3_k_known_answer() {
    let hmask = noise(32, 3);
    let qs = noise(64, 4);
    let scales = six_bit_values(5);
    let mut b = [0u8; 110];
    b[..32].copy_from_slice(&hmask);
    b[32..96].copy_from_slice(&qs);
    b[96..108].copy_from_slice(&pack_q3_scales(scales));
    b[108..110].copy_from_slice(&F16_HALF);
    let mut y = [0.0; QK_K];
    q3_k(&b, &mut y);
    for e in 0..QK_K {
        let (n, r) = (e / 128, e % 128);
        let low = i32::from((qs[n * 32 + r % 32] >> (2 * (r / 32))) & 3);
        // The high-bit mask bit is the (4n + r/32)-th bit of hmask[r % 32]; a clear bit means -4.
        let high_set = hmask[r % 32] >> (4 * n + r / 32) & 1 == 1;
        let q = low - if high_set { 0 } else { 4 };
        let expected = 0.5 * (i32::from(scales[e / 16]) - 32) as f32 * q as f32;
        assert_eq!(y[e], expected, "element {e}");
    }
    // By hand: all-zero quants with clear mask bits are -4; scale 63 - 32 = 31: 0.5*31*-4 = -62.
    let mut b = [0u8; 110];
    b[96..108].copy_from_slice(&pack_q3_scales([63; 16]));
    b[108..110].copy_from_slice(&F16_HALF);
    q3_k(&b, &mut y);
    assert!(y.iter().all(|&v| v == -62.0));
}

#[test]
fn q4_k_known_answer() {
    let sc = six_bit_values(6);
    let m = six_bit_values(7);
    let (sc, m): ([u8; 8], [u8; 8]) = (
        std::array::from_fn(|i| sc[i]),
        std::array::from_fn(|i| m[i + 8]),
    );
    let qs = noise(128, 8);
    let mut b = [0u8; 144];
    b[0..2].copy_from_slice(&F16_HALF);
    b[2..4].copy_from_slice(&F16_QUARTER);
    b[4..16].copy_from_slice(&pack_k4_scales(sc, m));
    b[16..].copy_from_slice(&qs);
    let mut y = [0.0; QK_K];
    q4_k(&b, &mut y);
    for e in 0..QK_K {
        // Sub-block s = e / 32; pairs of sub-blocks share 32 bytes (low nibble, then high).
        let s = e / 32;
        let byte = qs[(s / 2) * 32 + e % 32];
        let q = if s % 2 == 0 { byte & 0xF } else { byte >> 4 };
        let expected = 0.5 * f32::from(sc[s]) * f32::from(q) - 0.25 * f32::from(m[s]);
        assert_eq!(y[e], expected, "element {e}");
    }
}

#[test]
fn q5_k_known_answer() {
    let sc = six_bit_values(9);
    let m = six_bit_values(10);
    let (sc, m): ([u8; 8], [u8; 8]) = (
        std::array::from_fn(|i| sc[i + 8]),
        std::array::from_fn(|i| m[i]),
    );
    let qh = noise(32, 11);
    let qs = noise(128, 12);
    let mut b = [0u8; 176];
    b[0..2].copy_from_slice(&F16_QUARTER);
    b[2..4].copy_from_slice(&F16_HALF);
    b[4..16].copy_from_slice(&pack_k4_scales(sc, m));
    b[16..48].copy_from_slice(&qh);
    b[48..].copy_from_slice(&qs);
    let mut y = [0.0; QK_K];
    q5_k(&b, &mut y);
    for e in 0..QK_K {
        let s = e / 32;
        let byte = qs[(s / 2) * 32 + e % 32];
        let low = if s % 2 == 0 { byte & 0xF } else { byte >> 4 };
        // The fifth bit of every element of sub-block s is bit s of qh[e % 32].
        let q = low | (((qh[e % 32] >> s) & 1) << 4);
        let expected = 0.25 * f32::from(sc[s]) * f32::from(q) - 0.5 * f32::from(m[s]);
        assert_eq!(y[e], expected, "element {e}");
    }
}

#[test]
fn q6_k_known_answer() {
    let ql = noise(128, 13);
    let qh = noise(64, 14);
    let scales: Vec<i8> = noise(16, 15).into_iter().map(|v| v as i8).collect();
    let mut b = [0u8; 210];
    b[..128].copy_from_slice(&ql);
    b[128..192].copy_from_slice(&qh);
    for (dst, &s) in b[192..208].iter_mut().zip(&scales) {
        *dst = s as u8;
    }
    b[208..210].copy_from_slice(&F16_HALF);
    let mut y = [0.0; QK_K];
    q6_k(&b, &mut y);
    for e in 0..QK_K {
        // Halves of 128 use 64 ql bytes and 32 qh bytes; quarter k of a half takes the low (k < 2)
        // or high nibble of ql[64n + 32(k % 2) + l] and bits 2k..2k+2 of qh[32n + l].
        let (n, k, l) = (e / 128, (e % 128) / 32, e % 32);
        let byte = ql[64 * n + 32 * (k % 2) + l];
        let low = if k < 2 { byte & 0xF } else { byte >> 4 };
        let high = (qh[32 * n + l] >> (2 * k)) & 3;
        let q = i32::from(low | (high << 4)) - 32;
        let expected = 0.5 * f32::from(scales[e / 16]) * q as f32;
        assert_eq!(y[e], expected, "element {e}");
    }
    // By hand: all-zero quants are -32; scale -1: 0.5 * -1 * -32 = 16.
    let mut b = [0u8; 210];
    b[192..208].fill(0xFF);
    b[208..210].copy_from_slice(&F16_HALF);
    q6_k(&b, &mut y);
    assert!(y.iter().all(|&v| v == 16.0));
}

#[test]
fn q8_k_known_answer() {
    let qs = noise(256, 16);
    let mut b = [0u8; 292];
    b[..4].copy_from_slice(&0.125f32.to_le_bytes());
    b[4..260].copy_from_slice(&qs);
    b[260..].fill(0xAB); // bsums are not used for dequantisation
    let mut y = [0.0; QK_K];
    q8_k(&b, &mut y);
    for e in 0..QK_K {
        assert_eq!(y[e], 0.125 * f32::from(qs[e] as i8), "element {e}");
    }
}

#[test]
fn scale_min_k4_matches_packing() {
    let sc = [1, 2, 3, 63, 17, 42, 0, 63];
    let m = [63, 0, 5, 6, 33, 7, 63, 48];
    let packed = pack_k4_scales(sc, m);
    for j in 0..8 {
        assert_eq!(scale_min_k4(j, &packed), (sc[j], m[j]), "sub-block {j}");
    }
}
