//! Punycode (RFC 3492) encoding of one domain label, for IDN domains.
//!
//! Written here instead of pulling in the `idna` crate: its Unicode tables are
//! most of a small wasm binary, and the widget ships this code to every
//! visitor. Of UTS #46's mapping we make only what people type (see
//! `email/domain.rs`); a domain that needs more is still accepted, just not
//! folded to the same id as its mapped form.

use core::num::NonZeroU32;

use crate::prelude::*;

const BASE: u32 = 36;
const T_MIN: u32 = 1;
const T_MAX: u32 = 26;
const SKEW: u32 = 38;
const DAMP: u32 = 700;
const INITIAL_BIAS: u32 = 72;
const INITIAL_N: u32 = 128;

/// Every divisor here is a [`NonZeroU32`]: a division that cannot fail
/// compiles without the panic path (and its messages) that the widget
/// would otherwise ship.
fn adapt(mut delta: u32, num_points: NonZeroU32, first_time: bool) -> u32 {
    delta /= if first_time { DAMP } else { 2 };
    delta += delta / num_points;
    let mut k = 0;
    while delta > ((BASE - T_MIN) * T_MAX) / 2 {
        delta /= BASE - T_MIN;
        k += BASE;
    }
    // After the loop delta ≤ 455, so delta + SKEW ≥ SKEW is never 0.
    let skewed = NonZeroU32::new(delta + SKEW).unwrap_or(NonZeroU32::MIN);
    k + (BASE - T_MIN + 1) * delta / skewed
}

fn digit(d: u32) -> char {
    // 0..25 -> a..z, 26..35 -> 0..9
    let b = if d < 26 {
        b'a' + d as u8
    } else {
        b'0' + (d - 26) as u8
    };
    b as char
}

/// Encodes a label's code points to Punycode (without the `xn--` prefix).
/// Returns `None` on arithmetic overflow (absurdly long labels).
pub(crate) fn encode(input: &str) -> Option<String> {
    let chars: Vec<u32> = input.chars().map(u32::from).collect();
    let mut out: String = input.chars().filter(char::is_ascii).collect();
    let basic = out.len() as u32;
    let mut handled = basic;
    if basic > 0 {
        out.push('-');
    }
    let (mut n, mut delta, mut bias) = (INITIAL_N, 0u32, INITIAL_BIAS);
    let total = chars.len() as u32;
    while handled < total {
        let m = chars.iter().copied().filter(|&c| c >= n).min()?;
        delta = delta.checked_add((m - n).checked_mul(handled + 1)?)?;
        n = m;
        for &c in &chars {
            if c < n {
                delta = delta.checked_add(1)?;
            }
            if c == n {
                let mut q = delta;
                let mut k = BASE;
                loop {
                    let t = if k <= bias {
                        T_MIN
                    } else if k >= bias + T_MAX {
                        T_MAX
                    } else {
                        k - bias
                    };
                    if q < t {
                        break;
                    }
                    // t ≤ T_MAX < BASE.
                    let radix = NonZeroU32::new(BASE - t)?;
                    out.push(digit(t + (q - t) % radix));
                    q = (q - t) / radix;
                    k += BASE;
                }
                out.push(digit(q));
                bias = adapt(delta, NonZeroU32::new(handled + 1)?, handled == basic);
                delta = 0;
                handled += 1;
            }
        }
        delta = delta.checked_add(1)?;
        n = n.checked_add(1)?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::encode;

    #[test]
    fn encodes_rfc3492_and_common_examples() {
        assert_eq!(encode("bücher").unwrap(), "bcher-kva");
        assert_eq!(encode("münchen").unwrap(), "mnchen-3ya");
        assert_eq!(encode("例え").unwrap(), "r8jz45g");
        assert_eq!(encode("日本語").unwrap(), "wgv71a119e");
        // RFC 3492 7.1 (L): 3<nen>B<gumi><kinpachi><sensei>
        assert_eq!(
            encode("3年b組金八先生").unwrap(),
            "3b-ww4c5e180e575a65lsy2b"
        );
    }
}
