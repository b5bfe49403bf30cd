//! Writes the Latin American linkage set as CSV: `write_latam RECORDS SEED > file.csv`.
fn main() {
    let mut args = std::env::args().skip(1);
    let records: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(7);
    let quote = |v: &str| {
        if v.contains([',', '"', '\n']) {
            format!("\"{}\"", v.replace('"', "\"\""))
        } else {
            v.to_string()
        }
    };
    let mut out = String::new();
    out.push_str(&puente_synth::linkage_set::COLUMNS.join(","));
    out.push('\n');
    for record in puente_synth::linkage_set::generate(records, seed) {
        let values: Vec<String> = record.values().iter().map(|v| quote(v)).collect();
        out.push_str(&values.join(","));
        out.push('\n');
    }
    print!("{out}");
}
