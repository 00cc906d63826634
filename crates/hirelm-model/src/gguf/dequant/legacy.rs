//! Kernels for ggml's original 32-element block types (`block_q4_0` ... `block_q8_0`).
//!
//! Layouts (from ggml-common.h), `d`/`m` are little-endian f16:
//!
//! | type | bytes | layout |
//! |------|-------|--------|
//! | Q4_0 | 18 | `d`, `qs[16]` (element `j` in the low nibble of `qs[j]`, element `j+16` in the high) |
//! | Q4_1 | 20 | `d`, `m`, `qs[16]` |
//! | Q5_0 | 22 | `d`, `qh[4]` (u32: bit `j` is the 5th bit of element `j`), `qs[16]` |
//! | Q5_1 | 24 | `d`, `m`, `qh[4]`, `qs[16]` |
//! | Q8_0 | 34 | `d`, `qs[32]` (i8) |

use super::f16_at;

/// Elements per block.
const QK: usize = 32;

/// `dequantize_row_q4_0`: `y = (q - 8) * d`.
pub(crate) fn q4_0(b: &[u8; 18], y: &mut [f32; QK]) {
    let d = f16_at(b, 0);
    for j in 0..QK / 2 {
        let q = b[2 + j];
        let x0 = i32::from(q & 0x0F) - 8;
        let x1 = i32::from(q >> 4) - 8;
        y[j] = x0 as f32 * d;
        y[j + QK / 2] = x1 as f32 * d;
    }
}

/// `dequantize_row_q4_1`: `y = q * d + m`.
pub(crate) fn q4_1(b: &[u8; 20], y: &mut [f32; QK]) {
    let d = f16_at(b, 0);
    let m = f16_at(b, 2);
    for j in 0..QK / 2 {
        let q = b[4 + j];
        y[j] = f32::from(q & 0x0F) * d + m;
        y[j + QK / 2] = f32::from(q >> 4) * d + m;
    }
}

/// The 5-bit quants of a Q5 block: low nibbles from `qs`, 5th bits from the u32 `qh`.
#[inline(always)]
fn q5_quants(qh: u32, qs: &[u8]) -> [i32; QK] {
    let mut q = [0i32; QK];
    for j in 0..QK / 2 {
        let xh_0 = ((qh >> j) << 4) & 0x10;
        let xh_1 = (qh >> (j + 12)) & 0x10;
        q[j] = (u32::from(qs[j] & 0x0F) | xh_0) as i32;
        q[j + QK / 2] = (u32::from(qs[j] >> 4) | xh_1) as i32;
    }
    q
}

/// `dequantize_row_q5_0`: `y = (q - 16) * d`.
pub(crate) fn q5_0(b: &[u8; 22], y: &mut [f32; QK]) {
    let d = f16_at(b, 0);
    let qh = u32::from_le_bytes([b[2], b[3], b[4], b[5]]);
    let q = q5_quants(qh, &b[6..]);
    for (y, q) in y.iter_mut().zip(q) {
        *y = (q - 16) as f32 * d;
    }
}

/// `dequantize_row_q5_1`: `y = q * d + m`.
pub(crate) fn q5_1(b: &[u8; 24], y: &mut [f32; QK]) {
    let d = f16_at(b, 0);
    let m = f16_at(b, 2);
    let qh = u32::from_le_bytes([b[4], b[5], b[6], b[7]]);
    let q = q5_quants(qh, &b[8..]);
    for (y, q) in y.iter_mut().zip(q) {
        *y = q as f32 * d + m;
    }
}

/// `dequantize_row_q8_0`: `y = q * d`.
pub(crate) fn q8_0(b: &[u8; 34], y: &mut [f32; QK]) {
    let d = f16_at(b, 0);
    for (y, &q) in y.iter_mut().zip(&b[2..]) {
        *y = f32::from(q as i8) * d;
    }
}

#[cfg(test)]
mod tests {
    //! Known answers: blocks built by hand, expected values from the format's definition written
    //! out element by element (no shared code with the kernels).
    use super::*;

    const D_HALF: [u8; 2] = [0x00, 0x38]; // f16 0.5
    const D_TWO: [u8; 2] = [0x00, 0x40]; // f16 2.0
    const M_NEG_ONE: [u8; 2] = [0x00, 0xbc]; // f16 -1.0

    /// Block bytes: `head` followed by `tail`.
    fn block<const N: usize>(head: &[u8], tail: impl Fn(usize) -> u8) -> [u8; N] {
        let mut b = [0u8; N];
        b[..head.len()].copy_from_slice(head);
        for (i, byte) in b[head.len()..].iter_mut().enumerate() {
            *byte = tail(i);
        }
        b
    }

    /// The 4-bit quant of element `e` when byte `j` holds `lo(j)` | `hi(j)` << 4.
    fn nibble(e: usize, byte: impl Fn(usize) -> u8) -> u8 {
        if e < 16 {
            byte(e) & 0xF
        } else {
            byte(e - 16) >> 4
        }
    }

    #[test]
    fn q4_0_known_answer() {
        let byte = |j: usize| (j as u8) | ((15 - j as u8) << 4);
        let b: [u8; 18] = block(&D_HALF, byte);
        let mut y = [0.0; QK];
        q4_0(&b, &mut y);
        // First element: nibble 0 -> (0 - 8) * 0.5 = -4; element 16: nibble 15 -> 3.5.
        assert_eq!((y[0], y[15], y[16], y[31]), (-4.0, 3.5, 3.5, -4.0));
        for (e, &v) in y.iter().enumerate() {
            assert_eq!(v, (f32::from(nibble(e, byte)) - 8.0) * 0.5, "element {e}");
        }
    }

    #[test]
    fn q4_1_known_answer() {
        let byte = |j: usize| (j as u8 % 16) | (((j as u8 * 3) % 16) << 4);
        let mut head = D_TWO.to_vec();
        head.extend_from_slice(&M_NEG_ONE);
        let b: [u8; 20] = block(&head, byte);
        let mut y = [0.0; QK];
        q4_1(&b, &mut y);
        assert_eq!((y[0], y[1], y[17]), (-1.0, 1.0, 5.0));
        for (e, &v) in y.iter().enumerate() {
            assert_eq!(v, f32::from(nibble(e, byte)) * 2.0 - 1.0, "element {e}");
        }
    }

    #[test]
    fn q5_0_known_answer() {
        let byte = |j: usize| (j * 7) as u8;
        let qh: u32 = 0xA5C3_0F81;
        let mut head = D_HALF.to_vec();
        head.extend_from_slice(&qh.to_le_bytes());
        let b: [u8; 22] = block(&head, byte);
        let mut y = [0.0; QK];
        q5_0(&b, &mut y);
        for (e, &v) in y.iter().enumerate() {
            let q = f32::from(nibble(e, byte)) + if qh & (1 << e) != 0 { 16.0 } else { 0.0 };
            assert_eq!(v, (q - 16.0) * 0.5, "element {e}");
        }
        // Element 0: nibble 0, high bit 1 -> 16 - 16 = 0; element 31: byte 15 = 105, high nibble
        // 6, high bit 1 -> 22 - 16 = 6 -> 3.0.
        assert_eq!((y[0], y[31]), (0.0, 3.0));
    }

    #[test]
    fn q5_1_known_answer() {
        let byte = |j: usize| 0xF0 | (j as u8 & 0xF);
        let qh: u32 = 0x8000_0001;
        let mut head = D_TWO.to_vec();
        head.extend_from_slice(&M_NEG_ONE);
        head.extend_from_slice(&qh.to_le_bytes());
        let b: [u8; 24] = block(&head, byte);
        let mut y = [0.0; QK];
        q5_1(&b, &mut y);
        assert_eq!((y[0], y[1], y[16], y[31]), (31.0, 1.0, 29.0, 61.0));
        for (e, &v) in y.iter().enumerate() {
            let q = f32::from(nibble(e, byte)) + if qh & (1 << e) != 0 { 16.0 } else { 0.0 };
            assert_eq!(v, q * 2.0 - 1.0, "element {e}");
        }
    }

    #[test]
    fn q8_0_known_answer() {
        let b: [u8; 34] = block(&D_HALF, |j| (j as i32 * 7 - 100) as i8 as u8);
        let mut y = [0.0; QK];
        q8_0(&b, &mut y);
        assert_eq!((y[0], y[31]), (-50.0, 58.5));
        for (e, &v) in y.iter().enumerate() {
            assert_eq!(v, (e as f32 * 7.0 - 100.0) * 0.5, "element {e}");
        }
    }
}
