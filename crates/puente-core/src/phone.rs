//! The one phone normaliser: every crate that turns a written phone number into digits (the domain's
//! [`crate::domain::PhoneNumber`], the linkage engine, the search keys) calls [`normalise_phone`],
//! which rests on the `phonenumber` crate (a port of Google's libphonenumber and its metadata of
//! every country's numbering plan).
//!
//! So `+507 6666-7777`, `6666 7777` (in Panama), `507 6666 7777` and `00507 6666 7777` are one
//! number, and so are Panama's seven-digit landlines written with or without `507`.

use crate::Country;

/// A phone number reduced to its parts: the calling code and the national significant number.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NormalisedPhone {
    /// The country calling code (502 for Guatemala, 507 for Panama, 1 for the United States).
    pub calling_code: u16,
    /// The national significant number, digits only (`66667777`).
    pub national: String,
}

impl NormalisedPhone {
    /// The E.164 form: `+50766667777`.
    pub fn e164(&self) -> String {
        format!("+{}{}", self.calling_code, self.national)
    }
}

/// Why a text could not be normalised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PhoneProblem {
    /// Fewer than seven digits.
    #[error("a phone number has at least seven digits")]
    TooShort,
    /// A national number, and no country was given to read it in.
    #[error("a national number needs a country (write it with +code)")]
    NeedsCountry,
    /// No numbering plan reads the digits as a number.
    #[error("no country's numbering plan has this number")]
    NotANumber,
}

/// The fewest digits a phone number can have here (Panama's landlines have seven).
const MIN_DIGITS: usize = 7;
/// E.164 allows fifteen digits in all.
const MAX_DIGITS: usize = 15;

/// Normalises a phone number written as people write them: `+502 5555 1234`, `(502) 5555-1234`,
/// `00502 55551234`, `502-5555-1234`, or a national number read in `default_country` (the record's
/// country). A national number that already carries its calling code without `+` is recognised
/// when the numbering plan says so. Punctuation is ignored.
pub fn normalise_phone(
    text: &str,
    default_country: Option<Country>,
) -> Result<NormalisedPhone, PhoneProblem> {
    let trimmed = text.trim();
    let mut digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    let international = trimmed.starts_with('+') || trimmed.starts_with("00");
    if trimmed.starts_with("00") {
        digits.drain(..2);
    }
    if digits.len() < MIN_DIGITS {
        return Err(PhoneProblem::TooShort);
    }
    if digits.len() > MAX_DIGITS + 1 {
        return Err(PhoneProblem::NotANumber);
    }
    let as_international = || parse(None, &format!("+{digits}"));
    if international {
        return as_international()
            .map(|(phone, _)| phone)
            .ok_or(PhoneProblem::NotANumber);
    }
    let region = default_country.and_then(|country| country.alpha_2().parse().ok());
    let national = region.and_then(|region| parse(Some(region), &digits));
    match national {
        // A valid national number is what was meant.
        Some((phone, true)) => Ok(phone),
        // Not valid as a national number: the digits may start with a calling code
        // (`502 5555 1234`); take that reading when it is a valid number.
        Some((phone, false)) => match as_international() {
            Some((international, true)) => Ok(international),
            _ => Ok(phone),
        },
        None if region.is_some() => match as_international() {
            Some((international, true)) => Ok(international),
            _ => Err(PhoneProblem::NotANumber),
        },
        // No country to read a national number in: only a written calling code helps.
        None => match as_international() {
            Some((international, true)) => Ok(international),
            _ => Err(PhoneProblem::NeedsCountry),
        },
    }
}

/// Mexico's calling code.
const MEXICO: u16 = 52;

/// Parses with libphonenumber's rules: the number and whether its numbering plan holds it.
fn parse(region: Option<phonenumber::country::Id>, text: &str) -> Option<(NormalisedPhone, bool)> {
    let number = phonenumber::parse(region, text).ok()?;
    let national = number.national();
    let national_digits = format!(
        "{}{}",
        "0".repeat(usize::from(national.zeros())),
        national.value()
    );
    let calling_code = number.code().value();
    // Mexico dropped the mobile prefix 1 (`+52 1 55 ...`) in 2019: the number is the same.
    let national_digits = match national_digits.strip_prefix('1') {
        Some(rest) if calling_code == MEXICO && rest.len() == 10 => rest.to_string(),
        _ => national_digits,
    };
    let total = calling_code.to_string().len() + national_digits.len();
    if !(MIN_DIGITS..=MAX_DIGITS).contains(&total) || national_digits.len() < 4 {
        return None;
    }
    let valid = phonenumber::is_valid(&number);
    Some((
        NormalisedPhone {
            calling_code,
            national: national_digits,
        },
        valid,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, country: Option<&str>, expected: Result<&str, PhoneProblem>) {
        let country = country.and_then(Country::from_alpha_2);
        let found = normalise_phone(text, country).map(|phone| phone.e164());
        assert_eq!(found.as_deref().map_err(|e| *e), expected, "{text}");
    }

    #[test]
    fn the_ways_of_writing_a_guatemalan_number_agree() {
        for text in [
            "+502 5555 1234",
            "5555-1234",
            "502-5555-1234",
            "(502) 5555-1234",
            "00502 5555-1234",
        ] {
            check(text, Some("GT"), Ok("+50255551234"));
        }
        check("502-5555-1234", None, Ok("+50255551234"));
    }

    #[test]
    fn panama_mobiles_and_seven_digit_landlines() {
        // Mobiles have eight digits and start with 6.
        check("+507 6666-7777", None, Ok("+50766667777"));
        check("6666-7777", Some("PA"), Ok("+50766667777"));
        check("507 6666 7777", Some("PA"), Ok("+50766667777"));
        check("00507 6666 7777", None, Ok("+50766667777"));
        // Landlines have seven digits: with and without the calling code, one number.
        check("223-4567", Some("PA"), Ok("+5072234567"));
        check("507 223-4567", Some("PA"), Ok("+5072234567"));
        check("+507 223 4567", None, Ok("+5072234567"));
        check("(507) 223-4567", Some("GT"), Ok("+5072234567"));
    }

    #[test]
    fn the_region_and_the_united_states() {
        check("+504 9999-8888", None, Ok("+50499998888"));
        check("9999 8888", Some("HN"), Ok("+50499998888"));
        check("+503 7777 6666", None, Ok("+50377776666"));
        check("+505 8888 1111", None, Ok("+50588881111"));
        check("+506 8888 2222", None, Ok("+50688882222"));
        check("55 1234 5678", Some("MX"), Ok("+525512345678"));
        check("+52 55 1234 5678", None, Ok("+525512345678"));
        check("+52 1 55 1234 5678", None, Ok("+525512345678"));
        check("(212) 555-0100", Some("US"), Ok("+12125550100"));
        check("1-212-555-0100", None, Ok("+12125550100"));
    }

    #[test]
    fn what_is_not_a_number() {
        check("12345", Some("GT"), Err(PhoneProblem::TooShort));
        check("", Some("GT"), Err(PhoneProblem::TooShort));
        check("5555 1234", None, Err(PhoneProblem::NeedsCountry));
    }
}
