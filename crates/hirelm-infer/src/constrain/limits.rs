//! [`ConstraintLimits`]: the caps that keep every constrained decode finite.

use super::error::ConstraintError;

/// Caps that keep every decode finite, and the number syntax limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConstraintLimits {
    /// Most characters in a free-form string (`enum` values may be longer).
    pub max_string_chars: u32,
    /// Most items in an array.
    pub max_array_items: u32,
    /// Most digits before the decimal point (at most 18, so integers fit an `i64`).
    pub max_int_digits: u8,
    /// Most digits after the decimal point (integer digits + fraction digits ≤ 36).
    pub max_frac_digits: u8,
}

impl Default for ConstraintLimits {
    fn default() -> Self {
        Self {
            max_string_chars: 512,
            max_array_items: 128,
            max_int_digits: 15,
            max_frac_digits: 17,
        }
    }
}

impl ConstraintLimits {
    /// Checks that the limits are usable.
    pub(crate) fn check(&self) -> Result<(), ConstraintError> {
        if self.max_int_digits == 0 || self.max_int_digits > 18 {
            return Err(ConstraintError::InvalidLimits(
                "max_int_digits must be in 1..=18".into(),
            ));
        }
        if u32::from(self.max_int_digits) + u32::from(self.max_frac_digits) > 36 {
            return Err(ConstraintError::InvalidLimits(
                "integer + fraction digits must be ≤ 36".into(),
            ));
        }
        Ok(())
    }
}
