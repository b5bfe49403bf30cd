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

/// Normalises a phone number for comparison. `default_country` is the country assumed for national
/// numbers written without a calling code (the record's country, or the deployment's). Returns
/// `None` when the text holds fewer than seven digits, or digits no numbering plan has.
///
/// The reading is the one of [`puente_core::phone::normalise_phone`], the one normaliser of the
/// project; a national number whose country cannot be told keeps its digits, with no calling code,
/// so two records written the same way still agree.
pub fn normalize_phone(text: &str, default_country: Option<Country>) -> Option<Phone> {
    use puente_core::phone::{normalise_phone, PhoneProblem};
    match normalise_phone(text, default_country) {
        Ok(phone) => Some(Phone {
            calling_code: Some(phone.calling_code),
            national: phone.national,
        }),
        Err(PhoneProblem::NeedsCountry) => Some(Phone {
            calling_code: None,
            national: text.chars().filter(char::is_ascii_digit).collect(),
        }),
        Err(PhoneProblem::TooShort | PhoneProblem::NotANumber) => None,
    }
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
            ("6666 7777", Some("PA"), "+50766667777"),
            ("507 223-4567", Some("PA"), "+5072234567"),
            ("223-4567", Some("PA"), "+5072234567"),
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
