//! Checks of Chinese identifiers and calendar values that answers must pass: the resident ID
//! number's GB 11643 check digit, mainland mobile numbers, dates and times.

/// Weights of the first 17 digits in the GB 11643-1999 check (2^(17-i) mod 11).
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// The check character for each weighted sum mod 11.
const CHECK: [u8; 11] = *b"10X98765432";

/// Whether `id` is an 18-character resident ID number with a plausible birth date and the
/// right check character (`x` is accepted for `X`).
pub fn resident_id_valid(id: &str) -> bool {
    let bytes = id.as_bytes();
    if bytes.len() != 18 || !bytes[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = bytes[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let expected = CHECK[(sum % 11) as usize];
    if bytes[17].to_ascii_uppercase() != expected {
        return false;
    }
    let birth = &id[6..14];
    let year: u32 = birth[..4].parse().unwrap_or(0);
    (1900..=2100).contains(&year)
        && parse_date(&format!(
            "{}-{}-{}",
            &birth[..4],
            &birth[4..6],
            &birth[6..8]
        ))
        .is_some()
}

/// A mainland mobile number in its 11-digit form, from what a person typed: spaces, dashes and
/// a `+86` / `0086` prefix are removed. `None` if it is not a mobile number.
pub fn normalize_mobile(input: &str) -> Option<String> {
    let digits: String = input
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
        .collect();
    let digits = digits
        .strip_prefix("+86")
        .or_else(|| digits.strip_prefix("0086"))
        .unwrap_or(&digits);
    let b = digits.as_bytes();
    let ok = b.len() == 11
        && b.iter().all(u8::is_ascii_digit)
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1]);
    ok.then(|| digits.to_owned())
}

/// `YYYY-MM-DD` as (year, month, day), if it is a real calendar date.
pub fn parse_date(s: &str) -> Option<(i32, u32, u32)> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year: i32 = digits(&s[..4])?;
    let month: u32 = digits(&s[5..7])?;
    let day: u32 = digits(&s[8..10])?;
    ((1..=12).contains(&month) && (1..=days_in_month(year, month)).contains(&day))
        .then_some((year, month, day))
}

/// `HH:MM` (24-hour) as (hour, minute).
pub fn parse_time(s: &str) -> Option<(u32, u32)> {
    let b = s.as_bytes();
    if b.len() != 5 || b[2] != b':' {
        return None;
    }
    let hour: u32 = digits(&s[..2])?;
    let minute: u32 = digits(&s[3..])?;
    (hour < 24 && minute < 60).then_some((hour, minute))
}

fn digits<T: std::str::FromStr>(s: &str) -> Option<T> {
    if s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Masks an ID or phone number for tables and exports: the first 6 (IDs) or 3 (phones) and the
/// last 4 characters stay, the rest become `*`.
pub fn mask(value: &str, keep_start: usize) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() <= keep_start + 4 {
        return "*".repeat(chars.len());
    }
    let end = chars.len() - 4;
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| if i < keep_start || i >= end { *c } else { '*' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resident_id_check_digit() {
        // The example from GB 11643-1999.
        assert!(resident_id_valid("11010519491231002X"));
        assert!(resident_id_valid("11010519491231002x"));
        assert!(
            !resident_id_valid("110105194912310021"),
            "wrong check digit"
        );
        assert!(!resident_id_valid("11010519491331002X"), "month 13");
        assert!(!resident_id_valid("1101051949123100"), "too short");
        assert!(!resident_id_valid("11010519491231002X1"), "too long");
        assert!(
            !resident_id_valid("1101051949123100２X"),
            "full-width digit"
        );
    }

    #[test]
    fn mobile_numbers() {
        assert_eq!(
            normalize_mobile("138 0013 8000").as_deref(),
            Some("13800138000")
        );
        assert_eq!(
            normalize_mobile("+86 139-1234-5678").as_deref(),
            Some("13912345678")
        );
        assert_eq!(normalize_mobile("12800138000"), None, "no 12x prefix");
        assert_eq!(normalize_mobile("010-12345678"), None, "a landline");
        assert_eq!(normalize_mobile("1380013800"), None, "10 digits");
    }

    #[test]
    fn dates_and_times() {
        assert_eq!(parse_date("2020-02-29"), Some((2020, 2, 29)));
        assert_eq!(parse_date("2021-02-29"), None);
        assert_eq!(parse_date("2020-2-3"), None);
        assert_eq!(parse_time("09:30"), Some((9, 30)));
        assert_eq!(parse_time("24:00"), None);
    }

    #[test]
    fn masking() {
        assert_eq!(mask("11010519491231002X", 6), "110105********002X");
        assert_eq!(mask("13800138000", 3), "138****8000");
        assert_eq!(mask("123", 3), "***");
    }
}
