//! Phone numbers normalised to E.164 with the region's calling codes: `+502 5555 1234`,
//! `55551234`, `502-5555-1234` and `(502) 5555-1234` are one number.

use puente_core::Country;

/// A normalised phone number.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Phone {
    /// The calling code, when known (502 for Guatemala); `None` for a national number whose country
    /// could not be told.
    pub calling_code: Option<u16>,
    /// The national significant number, digits only: `55551234`.
    pub national: String,
}

impl Phone {
    /// The E.164 form, `+50255551234`, or the national digits when the country is unknown.
    pub fn e164(&self) -> String {
        match self.calling_code {
            Some(code) => format!("+{code}{}", self.national),
            None => self.national.clone(),
        }
    }
}

/// Calling codes of the region (from `puente_core`), longest first so that `502` is tried before
/// `52`.
fn region_codes() -> &'static [u16] {
    static CODES: std::sync::OnceLock<Vec<u16>> = std::sync::OnceLock::new();
    CODES.get_or_init(|| {
        let mut codes: Vec<u16> = puente_core::country::REGION
            .iter()
            .filter_map(|code| Country::from_alpha_2(code))
            .map(Country::calling_code)
            .collect();
        codes.sort_by_key(|code| (std::cmp::Reverse(code.to_string().len()), *code));
        codes.dedup();
        codes
    })
}

/// The length of national numbers for a calling code in the region.
fn national_lengths(code: u16) -> &'static [usize] {
    match code {
        502..=506 => &[8],
        507 => &[7, 8],
        52 | 1 => &[10],
        _ => &[],
    }
}

/// Normalises a phone number. `default_country` is the country assumed for national numbers written
/// without a calling code (the record's country, or the deployment's). Returns `None` when the text
/// holds fewer than seven digits.
///
/// Accepted: a leading `+` or `00` with the calling code; the calling code without `+`
/// (`502-5555-1234`) when the length fits a region country; national numbers; Mexico's old mobile
/// prefix `+52 1`; the US trunk `1` before a ten-digit number. Other punctuation is ignored.
pub fn normalize_phone(text: &str, default_country: Option<Country>) -> Option<Phone> {
    let trimmed = text.trim();
    let explicit_international = trimmed.starts_with('+') || trimmed.starts_with("00");
    let mut digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    if trimmed.starts_with("00") {
        digits.drain(..2);
    }
    if digits.len() < 7 {
        return None;
    }
    let default_code = default_country.map(Country::calling_code);
    // A number that starts with a region calling code and has the right length after it.
    let with_code = || {
        for &code in region_codes() {
            let prefix = code.to_string();
            if let Some(rest) = digits.strip_prefix(&prefix) {
                let rest = if code == 52 && rest.len() == 11 && rest.starts_with('1') {
                    &rest[1..]
                } else {
                    rest
                };
                if national_lengths(code).contains(&rest.len()) {
                    return Some(Phone {
                        calling_code: Some(code),
                        national: rest.to_string(),
                    });
                }
            }
        }
        None
    };
    if explicit_international {
        if let Some(phone) = with_code() {
            return Some(phone);
        }
        // Outside the region: keep the digits whole, as E.164 without a split.
        return Some(Phone {
            calling_code: Some(0),
            national: digits,
        });
    }
    if let Some(code) = default_code {
        if national_lengths(code).contains(&digits.len()) {
            return Some(Phone {
                calling_code: Some(code),
                national: digits,
            });
        }
    }
    if let Some(phone) = with_code() {
        return Some(phone);
    }
    // Eight digits and no country: a Central American national number whose country is unknown.
    Some(Phone {
        calling_code: None,
        national: digits,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gt() -> Option<Country> {
        Country::from_alpha_2("GT")
    }

    #[test]
    fn the_four_ways_of_writing_a_guatemalan_number_agree() {
        for text in [
            "+502 5555 1234",
            "55551234",
            "502-5555-1234",
            "(502) 5555-1234",
            "00502 5555-1234",
        ] {
            let phone = normalize_phone(text, gt()).unwrap();
            assert_eq!(phone.e164(), "+50255551234", "{text}");
        }
        // Without a default country the calling code is still recognised when written.
        assert_eq!(
            normalize_phone("502-5555-1234", None).unwrap().e164(),
            "+50255551234"
        );
        assert_eq!(
            normalize_phone("5555 1234", None).unwrap().e164(),
            "55551234"
        );
    }

    #[test]
    fn region_codes_are_recognised() {
        let cases = [
            ("+504 9999-8888", None, "+50499998888"),
            ("+503 7777 6666", None, "+50377776666"),
            ("+505 8888 1111", None, "+50588881111"),
            ("+506 8888 2222", None, "+50688882222"),
            ("+507 6666-7777", None, "+50766667777"),
            ("+52 1 55 1234 5678", None, "+525512345678"),
            ("55 1234 5678", Some("MX"), "+525512345678"),
            ("(212) 555-0100", Some("US"), "+12125550100"),
            ("1-212-555-0100", None, "+12125550100"),
            ("9999 8888", Some("HN"), "+50499998888"),
        ];
        for (text, country, expected) in cases {
            let country = country.and_then(Country::from_alpha_2);
            assert_eq!(
                normalize_phone(text, country).unwrap().e164(),
                expected,
                "{text}"
            );
        }
        assert_eq!(normalize_phone("12345", gt()), None);
        assert_eq!(normalize_phone("", gt()), None);
    }
}
