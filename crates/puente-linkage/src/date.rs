//! Dates of birth as records carry them: complete, partial (year only, year and month), written
//! `YYYY-MM-DD`, `YYYYMMDD`, `YYYY`, `YYYY-MM` or `DD/MM/YYYY`, sometimes with the day and month
//! swapped and sometimes with a typo that makes them impossible (`19551192`).

/// A date whose parts may be unknown. Impossible values that were written as digits (month 13,
/// day 92) are kept as written: they are typos, and a typo still matches its correct date closely.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PartialDate {
    /// The year, 0 when unknown.
    pub year: u16,
    /// The month, 0 when unknown.
    pub month: u8,
    /// The day, 0 when unknown.
    pub day: u8,
}

/// Why a date could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unreadable date {value:?}: expected YYYY-MM-DD, YYYYMMDD, YYYY-MM, YYYY or DD/MM/YYYY")]
pub struct DateError {
    pub value: String,
}

fn digits(text: &str) -> Option<u32> {
    if text.is_empty() || text.len() > 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

impl PartialDate {
    /// Reads a date. Empty text (after trimming) is `Ok(None)`: missing, not an error. Unknown parts
    /// may be written as zeros or as `?`/`x` (`1990-00-00`, `1990-??-??`).
    pub fn parse(text: &str) -> Result<Option<PartialDate>, DateError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        let error = || DateError {
            value: text.to_string(),
        };
        let unknown =
            |part: &str| !part.is_empty() && part.bytes().all(|b| matches!(b, b'?' | b'x' | b'X'));
        let part = |p: &str| -> Result<u32, DateError> {
            if unknown(p) {
                Ok(0)
            } else {
                digits(p).ok_or_else(error)
            }
        };
        let date = if text.len() == 8 && text.bytes().all(|b| b.is_ascii_digit()) {
            PartialDate {
                year: text[0..4].parse().map_err(|_| error())?,
                month: text[4..6].parse().map_err(|_| error())?,
                day: text[6..8].parse().map_err(|_| error())?,
            }
        } else if text.contains('/') {
            let parts: Vec<&str> = text.split('/').collect();
            if parts.len() != 3 || parts[2].len() != 4 {
                return Err(error());
            }
            PartialDate {
                year: part(parts[2])? as u16,
                month: part(parts[1])? as u8,
                day: part(parts[0])? as u8,
            }
        } else {
            let parts: Vec<&str> = text.split(['-', '.']).collect();
            if parts.is_empty() || parts.len() > 3 || parts[0].len() != 4 {
                return Err(error());
            }
            let year = part(parts[0])?;
            let month = match parts.get(1) {
                Some(p) if p.len() <= 2 => part(p)?,
                Some(_) => return Err(error()),
                None => 0,
            };
            let day = match parts.get(2) {
                Some(p) if p.len() <= 2 => part(p)?,
                Some(_) => return Err(error()),
                None => 0,
            };
            PartialDate {
                year: year as u16,
                month: month as u8,
                day: day as u8,
            }
        };
        if date.month > 99 || date.day > 99 {
            return Err(error());
        }
        if date.year == 0 && date.month == 0 && date.day == 0 {
            return Ok(None);
        }
        Ok(Some(date))
    }

    /// The date packed as the number `YYYYMMDD`, zeros for unknown parts.
    pub fn packed(self) -> u32 {
        self.year as u32 * 10_000 + self.month as u32 * 100 + self.day as u32
    }

    /// The inverse of [`PartialDate::packed`].
    pub fn unpack(packed: u32) -> PartialDate {
        PartialDate {
            year: (packed / 10_000) as u16,
            month: (packed / 100 % 100) as u8,
            day: (packed % 100) as u8,
        }
    }

    /// Whether every part is known.
    pub fn is_complete(self) -> bool {
        self.year != 0 && self.month != 0 && self.day != 0
    }
}

/// How two dates compare, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateAgreement {
    Exact,
    DayMonthSwapped,
    OneDigit,
    Partial,
    SameYear,
    Different,
}

/// Compares two dates: equal; day and month swapped; one digit wrong or two adjacent digits
/// transposed; one date partial and its known parts agree; the same year; different.
pub fn compare_dates(a: PartialDate, b: PartialDate) -> DateAgreement {
    if a == b {
        return if a.is_complete() {
            DateAgreement::Exact
        } else {
            DateAgreement::Partial
        };
    }
    if a.is_complete() && b.is_complete() {
        if a.year == b.year && a.month == b.day && a.day == b.month {
            return DateAgreement::DayMonthSwapped;
        }
        let (x, y) = (a.packed(), b.packed());
        if one_digit_apart(x, y) {
            return DateAgreement::OneDigit;
        }
    } else {
        let agree = |p: u32, q: u32| p == 0 || q == 0 || p == q;
        if agree(a.year as u32, b.year as u32)
            && agree(a.month as u32, b.month as u32)
            && agree(a.day as u32, b.day as u32)
        {
            return DateAgreement::Partial;
        }
    }
    if a.year != 0 && a.year == b.year {
        return DateAgreement::SameYear;
    }
    DateAgreement::Different
}

/// Whether two eight-digit numbers differ in exactly one digit or by one transposition of adjacent
/// digits.
fn one_digit_apart(x: u32, y: u32) -> bool {
    // A cheap necessary condition first: the digits changed are at most two adjacent ones, so the
    // last three digits, the first five, or (a transposition across that boundary) the last two
    // agree.
    (x % 1000 == y % 1000 || x / 1000 == y / 1000 || x % 100 == y % 100)
        && one_digit_apart_exact(x, y)
}

/// [`one_digit_apart`] digit by digit.
fn one_digit_apart_exact(x: u32, y: u32) -> bool {
    let mut dx = [0u8; 8];
    let mut dy = [0u8; 8];
    let (mut p, mut q) = (x, y);
    for i in (0..8).rev() {
        dx[i] = (p % 10) as u8;
        dy[i] = (q % 10) as u8;
        p /= 10;
        q /= 10;
    }
    let mut diffs = [0usize; 2];
    let mut count = 0;
    for i in 0..8 {
        if dx[i] != dy[i] {
            if count == 2 {
                return false;
            }
            diffs[count] = i;
            count += 1;
        }
    }
    let [i, j] = diffs;
    count == 1 || (count == 2 && j == i + 1 && dx[i] == dy[j] && dx[j] == dy[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_digit_filter_never_rejects_a_near_date() {
        let mut state = 3u64;
        for round in 0..300_000u64 {
            state = crate::splitmix(state ^ round);
            let x = (state % 100_000_000) as u32;
            let i = (state >> 32) % 8;
            let digit = ((state >> 40) % 10) as u32;
            let pow = 10u32.pow(i as u32);
            let y = match round % 3 {
                // One digit replaced.
                0 => x - (x / pow % 10) * pow + digit * pow,
                // Two adjacent digits swapped.
                1 if i < 7 => {
                    let (lo, hi) = (x / pow % 10, x / (pow * 10) % 10);
                    x - lo * pow - hi * pow * 10 + hi * pow + lo * pow * 10
                }
                _ => ((state >> 16) % 100_000_000) as u32,
            };
            assert_eq!(
                one_digit_apart(x, y),
                one_digit_apart_exact(x, y),
                "{x} {y}"
            );
        }
    }

    fn date(text: &str) -> PartialDate {
        PartialDate::parse(text).unwrap().unwrap()
    }

    #[test]
    fn dates_are_read_in_every_accepted_form() {
        let full = PartialDate {
            year: 1990,
            month: 5,
            day: 12,
        };
        assert_eq!(date("1990-05-12"), full);
        assert_eq!(date(" 19900512"), full);
        assert_eq!(date("12/05/1990"), full);
        assert_eq!(date("1990-5-12"), full);
        assert_eq!(
            date("1990"),
            PartialDate {
                year: 1990,
                month: 0,
                day: 0
            }
        );
        assert_eq!(
            date("1990-05"),
            PartialDate {
                year: 1990,
                month: 5,
                day: 0
            }
        );
        assert_eq!(
            date("1990-??-??"),
            PartialDate {
                year: 1990,
                month: 0,
                day: 0
            }
        );
        assert_eq!(
            date("19551192"),
            PartialDate {
                year: 1955,
                month: 11,
                day: 92
            }
        );
        assert_eq!(PartialDate::parse("  ").unwrap(), None);
        assert_eq!(PartialDate::parse("0000-00-00").unwrap(), None);
        for bad in [
            "abc",
            "1990-05-12-1",
            "90-05-12",
            "12/05/90",
            "1990-123-01",
            "1990/05",
            "1e3",
        ] {
            assert!(PartialDate::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(PartialDate::unpack(full.packed()), full);
    }

    #[test]
    fn date_comparisons_know_swaps_typos_and_partial_dates() {
        use DateAgreement::*;
        let cases = [
            ("1990-05-12", "1990-05-12", Exact),
            ("1990-05-12", "1990-12-05", DayMonthSwapped),
            ("1990-05-12", "1990-05-13", OneDigit),
            ("1990-05-12", "1909-05-12", OneDigit),
            ("1990-05-12", "1990", Partial),
            ("1990-05", "1990-05-12", Partial),
            ("1990-05-12", "1990-08-30", SameYear),
            ("1990-05-12", "1985-01-01", Different),
            ("1990", "1991", Different),
            ("1990", "1990", Partial),
        ];
        for (a, b, expected) in cases {
            assert_eq!(compare_dates(date(a), date(b)), expected, "{a} vs {b}");
            assert_eq!(compare_dates(date(b), date(a)), expected, "{b} vs {a}");
        }
    }
}
