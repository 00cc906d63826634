//! Numbers and integers with `minimum`/`maximum` enforced on every prefix.
//!
//! Accepted syntax: `-?(0|[1-9][0-9]*)(\.[0-9]+)?` (no exponent), at most
//! [`ConstraintLimits::max_int_digits`](super::ConstraintLimits::max_int_digits) integer digits
//! and [`max_frac_digits`](super::ConstraintLimits::max_frac_digits) fraction digits; integers
//! take no fraction and never `-0` (serde_json reads `-0` as a float).
//!
//! Exact arithmetic: every value is counted in *grid units* of `10^-F` (F = the fraction-digit
//! cap; 1 for integers) in an `i128`. A prefix is viable only when some completion within the
//! digit caps lies in `[minimum, maximum]`: the completions of `12` are the grid intervals
//! `[12, 13)`, `[120, 130)`, `[1200, 1300)`, … and those of `1.2` are `[1.2, 1.3)`, so each check
//! is a handful of interval intersections. Bounds are read from their shortest round-trip
//! decimal form, rounded inward onto the grid, so any number accepted here also passes an `f64`
//! comparison with the bound (rounding to `f64` is monotone).

use super::error::ConstraintError;

/// `10^k` for `k` in `0..=38`.
const POW10: [i128; 39] = {
    let mut table = [1i128; 39];
    let mut k = 1;
    while k < 39 {
        table[k] = table[k - 1] * 10;
        k += 1;
    }
    table
};

/// A compiled `number` or `integer` schema: bounds in grid units and the digit caps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NumberSpec {
    /// Whether this is `integer` (no fraction, no `-0`).
    integer: bool,
    /// Smallest allowed value, in grid units.
    min: i128,
    /// Largest allowed value, in grid units.
    max: i128,
    /// Most integer digits.
    int_cap: u8,
    /// Most fraction digits (0 for integers); also the grid exponent.
    frac_cap: u8,
}

impl NumberSpec {
    /// Compiles bounds; `path` names the schema in errors.
    pub(crate) fn new(
        integer: bool,
        minimum: Option<f64>,
        maximum: Option<f64>,
        int_cap: u8,
        frac_cap: u8,
        path: &str,
    ) -> Result<Self, ConstraintError> {
        let frac_cap = if integer { 0 } else { frac_cap };
        let limit = POW10[usize::from(int_cap + frac_cap)] - 1;
        let min = minimum
            .map_or(-limit, |x| to_grid(x, frac_cap, true, limit))
            .max(-limit);
        let max = maximum
            .map_or(limit, |x| to_grid(x, frac_cap, false, limit))
            .min(limit);
        if min > max {
            return Err(ConstraintError::invalid(
                path,
                "no number within the digit limits satisfies minimum and maximum",
            ));
        }
        Ok(Self {
            integer,
            min,
            max,
            int_cap,
            frac_cap,
        })
    }
}

/// `x` in grid units of `10^-frac`, rounded up or down onto the grid and saturated at
/// `±(limit + 1)`.
fn to_grid(x: f64, frac: u8, round_up: bool, limit: i128) -> i128 {
    // `Display` for f64 prints the shortest round-trip decimal, never in exponent form.
    let text = format!("{x}");
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.as_str()),
    };
    let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, ""));
    let saturated = if negative { -(limit + 1) } else { limit + 1 };
    let mut magnitude: i128 = 0;
    for byte in int_part.bytes() {
        magnitude = magnitude * 10 + i128::from(byte - b'0');
        if magnitude > limit {
            return saturated;
        }
    }
    let mut dropped_nonzero = false;
    for (i, byte) in frac_part.bytes().enumerate() {
        if i < usize::from(frac) {
            magnitude = magnitude * 10 + i128::from(byte - b'0');
        } else if byte != b'0' {
            dropped_nonzero = true;
        }
    }
    let kept = frac_part.len().min(usize::from(frac));
    magnitude *= POW10[usize::from(frac) - kept];
    if magnitude > limit {
        return saturated;
    }
    let value = if negative { -magnitude } else { magnitude };
    // Truncation moved the value toward zero; move it back when that is the wrong direction.
    match (dropped_nonzero, round_up, negative) {
        (true, true, false) => value + 1,
        (true, false, true) => value - 1,
        _ => value,
    }
}

/// What a number state does with the next byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumStep {
    /// The byte extends the number.
    Consumed,
    /// The byte cannot extend the number, which is complete: it belongs to the container.
    EndBefore,
    /// The byte is not allowed.
    Reject,
}

/// The digits of a number typed so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct NumFrame {
    /// Integer and fraction digits read as one integer (`12.5` → 125).
    mag: i128,
    /// Integer digits typed.
    int_digits: u8,
    /// Fraction digits typed.
    frac_digits: u8,
    /// Whether a leading `-` was typed.
    neg: bool,
    /// Whether the decimal point was typed.
    dot: bool,
}

impl NumFrame {
    /// Feeds one byte; on [`NumStep::Reject`] the frame may be left modified.
    pub(crate) fn step(&mut self, spec: &NumberSpec, byte: u8) -> NumStep {
        match byte {
            b'-' if !self.neg && self.int_digits == 0 => {
                if spec.min >= 0 {
                    return NumStep::Reject;
                }
                self.neg = true;
            }
            b'0'..=b'9' => {
                let digit = i128::from(byte - b'0');
                if self.dot {
                    if self.frac_digits >= spec.frac_cap {
                        return NumStep::Reject;
                    }
                    self.frac_digits += 1;
                } else {
                    let leading_zero = self.int_digits == 1 && self.mag == 0;
                    let negative_zero =
                        spec.integer && self.neg && self.int_digits == 0 && digit == 0;
                    if leading_zero || negative_zero || self.int_digits >= spec.int_cap {
                        return NumStep::Reject;
                    }
                    self.int_digits += 1;
                }
                self.mag = self.mag * 10 + digit;
            }
            b'.' if !self.dot && self.int_digits > 0 && spec.frac_cap > 0 => self.dot = true,
            _ => {
                return if self.can_end(spec) {
                    NumStep::EndBefore
                } else {
                    NumStep::Reject
                };
            }
        }
        if self.viable(spec) {
            NumStep::Consumed
        } else {
            NumStep::Reject
        }
    }

    /// The next byte of a short way to finish the number (`None` when it may end here): a byte
    /// after which it may end if there is one, else the first byte (digits, `.`, `-`) that keeps
    /// it viable. Deterministic, so following it from any state takes exactly as many bytes as
    /// it predicts.
    pub(crate) fn closing_byte(&self, spec: &NumberSpec) -> Option<u8> {
        if self.can_end(spec) {
            return None;
        }
        let extends = |byte: &u8| {
            let mut next = *self;
            (next.step(spec, *byte) == NumStep::Consumed).then_some(next)
        };
        const BYTES: &[u8] = b"0123456789.-";
        BYTES
            .iter()
            .find(|b| extends(b).is_some_and(|n| n.can_end(spec)))
            .or_else(|| BYTES.iter().find(|b| extends(b).is_some()))
            .copied()
    }

    /// Whether the digits so far form a complete number within the bounds.
    pub(crate) fn can_end(&self, spec: &NumberSpec) -> bool {
        if self.int_digits == 0 || (self.dot && self.frac_digits == 0) {
            return false;
        }
        let magnitude = self.mag * POW10[usize::from(spec.frac_cap - self.frac_digits)];
        let value = if self.neg { -magnitude } else { magnitude };
        spec.min <= value && value <= spec.max
    }

    /// Whether some completion within the digit caps lies within the bounds.
    fn viable(&self, spec: &NumberSpec) -> bool {
        let hits = |lo: i128, hi: i128| {
            let (lo, hi) = if self.neg { (-hi, -lo) } else { (lo, hi) };
            lo.max(spec.min) <= hi.min(spec.max)
        };
        let frac = usize::from(spec.frac_cap);
        if self.int_digits == 0 {
            // Only `-` typed: any negative number (or `-0…` for floats).
            let lo = if spec.integer { 1 } else { 0 };
            return hits(lo, POW10[usize::from(spec.int_cap) + frac] - 1);
        }
        if self.dot {
            let scale = POW10[frac - usize::from(self.frac_digits)];
            return hits(self.mag * scale, (self.mag + 1) * scale - 1);
        }
        // More integer digits may follow, unless the integer part is a lone `0`.
        let more = if self.mag == 0 {
            0
        } else {
            spec.int_cap - self.int_digits
        };
        (0..=usize::from(more)).any(|k| {
            let scale = POW10[k + frac];
            hits(self.mag * scale, (self.mag + 1) * scale - 1)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(integer: bool, min: Option<f64>, max: Option<f64>) -> NumberSpec {
        NumberSpec::new(integer, min, max, 15, 17, "").expect("satisfiable")
    }

    /// The bytes of `text` accepted, then whether the number can end there.
    fn run(spec: &NumberSpec, text: &str) -> Result<bool, usize> {
        let mut frame = NumFrame::default();
        for (i, b) in text.bytes().enumerate() {
            if frame.step(spec, b) != NumStep::Consumed {
                return Err(i);
            }
        }
        Ok(frame.can_end(spec))
    }

    #[test]
    fn unit_interval_prefixes() {
        let unit = spec(false, Some(0.0), Some(1.0));
        for ok in [
            "0",
            "0.25",
            "1",
            "1.0",
            "1.000",
            "0.99999999999999999",
            "0.0",
        ] {
            assert_eq!(run(&unit, ok), Ok(true), "{ok}");
        }
        assert_eq!(run(&unit, "1."), Ok(false));
        assert_eq!(run(&unit, "2"), Err(0));
        assert_eq!(run(&unit, "1.5"), Err(2));
        assert_eq!(run(&unit, "1.0001"), Err(5));
        assert_eq!(run(&unit, "-0"), Err(0));
        assert_eq!(run(&unit, "00"), Err(1));
        assert_eq!(run(&unit, "10"), Err(1));
        assert_eq!(
            run(&unit, "0.123456789012345678"),
            Err(19),
            "fraction-digit cap"
        );
    }

    #[test]
    fn integers_take_no_fraction_and_no_negative_zero() {
        let score = spec(true, Some(1.0), Some(5.0));
        assert_eq!(run(&score, "4"), Ok(true));
        assert_eq!(run(&score, "4."), Err(1));
        assert_eq!(run(&score, "0"), Err(0));
        assert_eq!(run(&score, "6"), Err(0));
        let any = spec(true, None, None);
        assert_eq!(run(&any, "-0"), Err(1));
        assert_eq!(run(&any, "-12"), Ok(true));
        assert_eq!(run(&any, "123456789012345"), Ok(true));
        assert_eq!(run(&any, "1234567890123456"), Err(15), "integer-digit cap");
    }

    #[test]
    fn bounds_that_need_more_digits() {
        let big = spec(false, Some(100.0), Some(250.5));
        assert_eq!(run(&big, "1"), Ok(false), "1 can grow into 100..199");
        assert_eq!(run(&big, "100"), Ok(true));
        assert_eq!(
            run(&big, "9"),
            Err(0),
            "9.., 90.. are below and 900.. above"
        );
        assert_eq!(run(&big, "26"), Err(1), "26.. is below and 260.. above");
        assert_eq!(run(&big, "250.5"), Ok(true));
        assert_eq!(run(&big, "250.51"), Err(5));
        assert_eq!(run(&big, "3"), Err(0), "30.. is below and 300.. above");
        assert_eq!(run(&big, "2"), Ok(false), "2 can grow into 200..250.5");
    }

    #[test]
    fn negative_ranges_mirror() {
        let neg = spec(false, Some(-2.5), Some(-1.0));
        assert_eq!(run(&neg, "-1"), Ok(true));
        assert_eq!(run(&neg, "-2.5"), Ok(true));
        assert_eq!(run(&neg, "-2.6"), Err(3));
        assert_eq!(run(&neg, "-0"), Err(1));
        assert_eq!(run(&neg, "1"), Err(0));
        let around = spec(false, Some(-0.5), Some(0.5));
        assert_eq!(run(&around, "-0.5"), Ok(true));
        assert_eq!(run(&around, "-0"), Ok(true));
        assert_eq!(run(&around, "-0.6"), Err(3));
    }

    #[test]
    fn inexact_bounds_round_inward() {
        // 0.1 is not exactly representable; the decimal "0.1" itself must stay allowed.
        let tenth = spec(false, Some(0.1), Some(0.3));
        assert_eq!(run(&tenth, "0.1"), Ok(true));
        assert_eq!(run(&tenth, "0.3"), Ok(true));
        assert_eq!(run(&tenth, "0.09"), Err(2), "0.0… stays below 0.1");
        assert_eq!(run(&tenth, "0.30000000000000001"), Err(18));
        assert_eq!(to_grid(1e-20, 17, true, i128::MAX - 1), 1);
        assert_eq!(to_grid(1e-20, 17, false, i128::MAX - 1), 0);
        assert_eq!(to_grid(-1e-20, 17, false, i128::MAX - 1), -1);
        assert_eq!(to_grid(1e300, 2, false, 999), 1000);
        assert!(NumberSpec::new(true, Some(1.2), Some(1.8), 15, 17, "/x").is_err());
        assert!(NumberSpec::new(false, Some(1e300), None, 15, 17, "/x").is_err());
    }
}
