//! Dates in a `strptime` format, read as Python's `datetime.strptime` reads them.
//!
//! Python turns the format into a regular expression (each directive a group, other characters
//! literal, runs of white space matching any white space, case-insensitive), matches it at the
//! start of the value and refuses unconverted text after it; the date must then exist. The same
//! construction is used here for the directives a date of birth needs: `%d %m %Y %y %b %B %j`,
//! the time directives `%H %M %S` (read and dropped, as clkhash keeps only the date) and `%%`.
//! clkhash hashes the date as `%Y%m%d` (the year without leading zeros, as glibc writes it).

use regex::Regex;

/// A compiled date format.
#[derive(Debug, Clone)]
pub struct DateFormat {
    source: String,
    regex: Regex,
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

impl DateFormat {
    /// Compiles a format; an unsupported directive is an error.
    pub fn new(format: &str) -> Result<DateFormat, String> {
        let mut pattern = String::from("^(?i:");
        let mut chars = format.chars().peekable();
        let mut in_space = false;
        while let Some(c) = chars.next() {
            if c.is_whitespace() {
                if !in_space {
                    pattern.push_str(r"\s+");
                }
                in_space = true;
                continue;
            }
            in_space = false;
            if c != '%' {
                pattern.push_str(&regex::escape(&c.to_string()));
                continue;
            }
            let Some(directive) = chars.next() else {
                return Err(format!("the date format '{format}' ends with a lone '%'"));
            };
            let group = match directive {
                'd' => r"(?P<d>3[0-1]|[1-2]\d|0[1-9]|[1-9]| [1-9])".to_string(),
                'm' => r"(?P<m>1[0-2]|0[1-9]|[1-9])".to_string(),
                'Y' => r"(?P<Y>\d\d\d\d)".to_string(),
                'y' => r"(?P<y>\d\d)".to_string(),
                'H' => r"(?P<H>2[0-3]|[0-1]\d|\d)".to_string(),
                'M' => r"(?P<M>[0-5]\d|\d)".to_string(),
                'S' => r"(?P<S>6[0-1]|[0-5]\d|\d)".to_string(),
                'j' => r"(?P<j>36[0-6]|3[0-5]\d|[1-2]\d\d|0[1-9]\d|00[1-9]|[1-9]\d|0[1-9]|[1-9])"
                    .to_string(),
                'B' => format!("(?P<B>{})", sorted_by_length(MONTHS.iter().map(|m| m.to_string()))),
                'b' => format!(
                    "(?P<b>{})",
                    sorted_by_length(MONTHS.iter().map(|m| m[..3].to_string()))
                ),
                '%' => "%".to_string(),
                other => {
                    return Err(format!(
                        "the date format '{format}' uses %{other}, which is not supported (use %d %m %Y %y %b %B %j %H %M %S)"
                    ))
                }
            };
            if pattern.contains(&format!("(?P<{directive}>")) {
                return Err(format!(
                    "the date format '{format}' uses %{directive} twice"
                ));
            }
            pattern.push_str(&group);
        }
        pattern.push(')');
        let regex = Regex::new(&pattern)
            .map_err(|e| format!("the date format '{format}' cannot be compiled: {e}"))?;
        Ok(DateFormat {
            source: format.to_string(),
            regex,
        })
    }

    /// The format as written in the schema.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Reads a value: the date as `%Y%m%d`, or why it is not a date in this format.
    pub fn to_hashable(&self, value: &str) -> Result<String, String> {
        let Some(captures) = self.regex.captures(value) else {
            return Err(format!(
                "time data '{value}' does not match format '{}'",
                self.source
            ));
        };
        let end = captures.get(0).map(|m| m.end()).unwrap_or(0);
        if end != value.len() {
            return Err(format!("unconverted data remains: {}", &value[end..]));
        }
        let number = |name: &str| -> Option<i64> {
            captures
                .name(name)
                .and_then(|m| m.as_str().trim().parse::<i64>().ok())
        };
        let mut year = 1900;
        if let Some(y) = number("Y") {
            year = y;
        } else if let Some(y) = number("y") {
            year = if y <= 68 { 2000 + y } else { 1900 + y };
        }
        let mut month = number("m").unwrap_or(1);
        for name in ["B", "b"] {
            if let Some(m) = captures.name(name) {
                let text = m.as_str().to_lowercase();
                month = MONTHS
                    .iter()
                    .position(|full| *full == text || full[..3] == text)
                    .map(|i| i as i64 + 1)
                    .unwrap_or(1);
            }
        }
        let mut day = number("d").unwrap_or(1);
        if let Some(julian) = number("j") {
            let (y, m, d) = from_ordinal_in_year(year, julian);
            year = y;
            month = m;
            day = d;
        }
        if !(1..=9999).contains(&year) {
            return Err("year is out of range".to_string());
        }
        if day > days_in_month(year, month) {
            return Err("day is out of range for month".to_string());
        }
        Ok(format!("{year}{month:02}{day:02}"))
    }
}

/// Alternatives longest first, as Python's `_strptime` orders them.
fn sorted_by_length(items: impl Iterator<Item = String>) -> String {
    let mut items: Vec<String> = items.collect();
    items.sort_by_key(|item| std::cmp::Reverse(item.len()));
    items.join("|")
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        _ => 28,
    }
}

/// The date that is day `julian` (1-based) of `year`, rolling into the next year as Python's
/// `date.fromordinal` does for day 366 of a common year.
fn from_ordinal_in_year(mut year: i64, mut julian: i64) -> (i64, i64, i64) {
    let year_length = if is_leap(year) { 366 } else { 365 };
    if julian > year_length {
        julian -= year_length;
        year += 1;
    }
    let mut month = 1;
    while julian > days_in_month(year, month) {
        julian -= days_in_month(year, month);
        month += 1;
    }
    (year, month, julian)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(format: &str, value: &str, expected: Result<&str, &str>) {
        let parsed = DateFormat::new(format).unwrap().to_hashable(value);
        match expected {
            Ok(date) => assert_eq!(parsed, Ok(date.to_string()), "{format} {value}"),
            Err(start) => assert!(
                parsed.as_ref().is_err_and(|e| e.starts_with(start)),
                "{format} {value}: {parsed:?}"
            ),
        }
    }

    #[test]
    fn reads_dates_as_python_strptime_does() {
        check("%Y-%m-%d", "1990-05-07", Ok("19900507"));
        check("%Y-%m-%d", "1990-5-7", Ok("19900507"));
        check("%Y%m%d", "2020111", Ok("20201101"));
        check("%d/%m/%y", "01/02/68", Ok("20680201"));
        check("%d/%m/%y", "01/02/69", Ok("19690201"));
        check("%d %b %Y", "3   MAR 2001", Ok("20010303"));
        check("%B %d, %Y", "february 28, 2001", Ok("20010228"));
        check("%Y-%j", "2020-060", Ok("20200229"));
        check("%Y-%m-%d", "0999-01-02", Ok("9990102"));
        check("%Y-%m-%d %H:%M", "2001-01-01 23:59", Ok("20010101"));
    }

    #[test]
    fn refuses_what_python_refuses() {
        check("%Y-%m-%d", "1990-02-30", Err("day is out of range"));
        check("%Y-%m-%d", "1990-13-01", Err("time data"));
        check("%Y-%m-%d", "1990-01-01x", Err("unconverted data remains"));
        check("%m-%d", "02-29", Err("day is out of range"));
        assert!(DateFormat::new("%Y-%q").is_err());
        assert!(DateFormat::new("%Y-%").is_err());
    }
}
