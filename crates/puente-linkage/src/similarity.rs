//! String similarity on folded bytes, written for speed: Jaro-Winkler without allocation for strings
//! up to 64 bytes, and a linear-time "at most one edit" test.

/// The Jaro-Winkler similarity of two byte strings, in [0, 1] (prefix scale 0.1, prefix up to 4).
pub fn jaro_winkler(a: &[u8], b: &[u8]) -> f64 {
    let jaro = jaro(a, b);
    if jaro <= 0.0 {
        return jaro;
    }
    let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count();
    jaro + prefix as f64 * 0.1 * (1.0 - jaro)
}

/// The Jaro similarity of two byte strings.
pub fn jaro(a: &[u8], b: &[u8]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    if a == b {
        return 1.0;
    }
    // A fixed order makes the greedy matching, and so the result, symmetric.
    let (a, b) = if (a.len(), a) <= (b.len(), b) {
        (a, b)
    } else {
        (b, a)
    };
    if a.len() > 64 || b.len() > 64 {
        return jaro_long(a, b);
    }
    PATTERN.with(|cell| {
        let mut pattern = cell.borrow_mut();
        jaro_bits(a, b, &mut pattern)
    })
}

thread_local! {
    /// Per byte value: the positions where it occurs in the second string (cleared after use).
    static PATTERN: std::cell::RefCell<[u64; 256]> = const { std::cell::RefCell::new([0; 256]) };
}

/// Bit-parallel Jaro for strings of at most 64 bytes: the greedy matching of the textbook
/// algorithm, each step a mask and a trailing-zero count instead of a scan of the window.
fn jaro_bits(a: &[u8], b: &[u8], pattern: &mut [u64; 256]) -> f64 {
    for (j, c) in b.iter().enumerate() {
        pattern[*c as usize] |= 1 << j;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let all_b: u64 = if b.len() == 64 {
        u64::MAX
    } else {
        (1u64 << b.len()) - 1
    };
    let mut b_used: u64 = 0;
    let mut a_used: u64 = 0;
    let mut matches = 0u32;
    for (i, c) in a.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = i + window + 1; // exclusive
        let below_hi = if hi >= 64 { u64::MAX } else { (1u64 << hi) - 1 };
        let above_lo = !((1u64 << lo) - 1);
        let candidates = pattern[*c as usize] & below_hi & above_lo & all_b & !b_used;
        if candidates != 0 {
            b_used |= candidates & candidates.wrapping_neg();
            a_used |= 1 << i;
            matches += 1;
        }
    }
    for c in b {
        pattern[*c as usize] = 0;
    }
    if matches == 0 {
        return 0.0;
    }
    // Count transpositions: walk the matched characters of both strings in order.
    let mut transpositions = 0u32;
    let mut bits_a = a_used;
    let mut bits_b = b_used;
    while bits_a != 0 {
        let i = bits_a.trailing_zeros() as usize;
        let j = bits_b.trailing_zeros() as usize;
        if a[i] != b[j] {
            transpositions += 1;
        }
        bits_a &= bits_a - 1;
        bits_b &= bits_b - 1;
    }
    let m = matches as f64;
    (m / a.len() as f64 + m / b.len() as f64 + (m - (transpositions / 2) as f64) / m) / 3.0
}

fn jaro_long(a: &[u8], b: &[u8]) -> f64 {
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut a_used = vec![false; a.len()];
    let mut b_used = vec![false; b.len()];
    let mut matches = 0usize;
    for (i, ca) in a.iter().enumerate() {
        let start = i.saturating_sub(window);
        let end = (i + window + 1).min(b.len());
        for j in start..end {
            if !b_used[j] && b[j] == *ca {
                b_used[j] = true;
                a_used[i] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let left = a.iter().zip(&a_used).filter(|(_, u)| **u).map(|(c, _)| c);
    let right = b.iter().zip(&b_used).filter(|(_, u)| **u).map(|(c, _)| c);
    let transpositions = left.zip(right).filter(|(x, y)| x != y).count();
    let m = matches as f64;
    (m / a.len() as f64 + m / b.len() as f64 + (m - (transpositions / 2) as f64) / m) / 3.0
}

/// Whether two strings are at most one edit apart: one substitution, insertion, deletion or
/// transposition of adjacent characters (optimal string alignment distance ≤ 1).
pub fn within_one_edit(a: &[u8], b: &[u8]) -> bool {
    if a == b {
        return true;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let prefix = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    if short.len() == long.len() {
        let rest_a = &short[prefix + 1..];
        let rest_b = &long[prefix + 1..];
        if rest_a == rest_b {
            return true;
        }
        // Adjacent transposition.
        prefix + 1 < short.len()
            && short[prefix] == long[prefix + 1]
            && short[prefix + 1] == long[prefix]
            && short[prefix + 2..] == long[prefix + 2..]
    } else {
        short[prefix..] == long[prefix + 1..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn jaro_winkler_matches_published_values() {
        let close = |x: f64, y: f64| (x - y).abs() < 1e-3;
        assert!(close(jaro_winkler(b"martha", b"marhta"), 0.961));
        assert!(close(jaro_winkler(b"dwayne", b"duane"), 0.84));
        assert!(close(jaro_winkler(b"dixon", b"dicksonx"), 0.813));
        assert!(close(jaro(b"martha", b"marhta"), 0.944));
        assert_eq!(jaro_winkler(b"", b""), 1.0);
        assert_eq!(jaro_winkler(b"abc", b""), 0.0);
        assert_eq!(jaro_winkler(b"abc", b"xyz"), 0.0);
        let long_a = "a".repeat(70) + "bc";
        let long_b = "a".repeat(70) + "cb";
        assert!(jaro_winkler(long_a.as_bytes(), long_b.as_bytes()) > 0.95);
    }

    #[test]
    fn one_edit_covers_substitution_insertion_deletion_and_transposition() {
        for (a, b) in [
            ("1804974", "1804975"),
            ("garcia", "garcca"),
            ("lopez", "lopz"),
            ("perez", "perze"),
            ("", "a"),
        ] {
            assert!(within_one_edit(a.as_bytes(), b.as_bytes()), "{a} {b}");
        }
        for (a, b) in [
            ("1804974", "1804957x"),
            ("garcia", "gracai"),
            ("ab", "ba c"),
            ("abcd", "badc"),
        ] {
            assert!(!within_one_edit(a.as_bytes(), b.as_bytes()), "{a} {b}");
        }
    }

    proptest! {
        #[test]
        fn similarities_are_symmetric(a in "[a-e]{0,12}", b in "[a-e]{0,12}") {
            let ab = jaro_winkler(a.as_bytes(), b.as_bytes());
            let ba = jaro_winkler(b.as_bytes(), a.as_bytes());
            prop_assert!((ab - ba).abs() < 1e-12);
            prop_assert!((0.0..=1.0).contains(&ab));
            prop_assert_eq!(within_one_edit(a.as_bytes(), b.as_bytes()), within_one_edit(b.as_bytes(), a.as_bytes()));
        }

        #[test]
        fn long_and_short_jaro_agree(a in "[a-c]{1,20}", b in "[a-c]{1,20}") {
            prop_assert!((jaro(a.as_bytes(), b.as_bytes()) - jaro_long(a.as_bytes(), b.as_bytes())).abs() < 1e-12);
        }
    }
}
