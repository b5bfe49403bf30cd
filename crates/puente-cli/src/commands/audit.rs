//! `puente audit verify`, `puente audit export --out DIR` and `puente audit rotate-key`: the audit
//! log checked against its key and its signed checkpoints, handed to an outside auditor, and moved
//! to a new key.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use puente_store::{Actor, AuditQuery, Store};

#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Check the whole log against the audit key and every checkpoint. Exits 1 and names each
    /// thing found (an edited entry, a deleted tail, an emptied log, an inserted entry, a chain
    /// recomputed without the key, a forged checkpoint).
    Verify,
    /// Write every entry (`entries.jsonl`) and every checkpoint (`checkpoints.jsonl`) to a new
    /// directory for an outside auditor, with a `README.txt` saying how to check them. The key is
    /// not exported: give it to the auditor apart, if they are to check the keyed hashes.
    Export {
        /// The directory to create; it must not exist or be empty.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Start a new audit key: the old key signs the end of its segment, the new one its start. The
    /// old key stays in the key file (it verifies the older entries). Stop the server first.
    RotateKey,
}

pub fn run(db: Option<PathBuf>, command: AuditCommand) -> anyhow::Result<ExitCode> {
    let location = super::store_location(db)?;
    let runtime = super::runtime()?;
    runtime.block_on(async {
        let store = super::open_store(&location).await?;
        let outcome = match command {
            AuditCommand::Verify => verify(store.as_ref()).await,
            AuditCommand::Export { out } => export(store.as_ref(), &out).await,
            AuditCommand::RotateKey => rotate(store.as_ref()).await,
        };
        store.close().await;
        outcome
    })
}

async fn verify(store: &dyn Store) -> anyhow::Result<ExitCode> {
    let report = store
        .verify_audit_chain()
        .await
        .context("cannot read the audit log")?;
    if report.is_intact() {
        println!(
            "The audit log is intact: {} entries, every hash checked against the audit key, {} checkpoints agree.",
            report.entries, report.checkpoints
        );
        return Ok(ExitCode::SUCCESS);
    }
    match report.first_broken {
        Some(entry) => println!(
            "The audit log is BROKEN at entry {entry} ({} entries, {} checkpoints). Found:",
            report.entries, report.checkpoints
        ),
        None => println!(
            "The audit log is BROKEN ({} entries, {} checkpoints). Found:",
            report.entries, report.checkpoints
        ),
    }
    for finding in &report.findings {
        println!("  - {finding}");
    }
    Ok(ExitCode::FAILURE)
}

async fn export(store: &dyn Store, out: &Path) -> anyhow::Result<ExitCode> {
    if out.exists()
        && std::fs::read_dir(out)
            .with_context(|| format!("cannot read {}", out.display()))?
            .next()
            .is_some()
    {
        anyhow::bail!(
            "{} exists and is not empty: choose a new directory",
            out.display()
        );
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let entries = store
        .audit_entries(&AuditQuery::default())
        .await
        .context("cannot read the audit log")?;
    let entries_path = out.join("entries.jsonl");
    let mut file = std::io::BufWriter::new(
        std::fs::File::create(&entries_path)
            .with_context(|| format!("cannot create {}", entries_path.display()))?,
    );
    for entry in &entries {
        serde_json::to_writer(&mut file, entry).context("cannot write an entry")?;
        file.write_all(b"\n")
            .with_context(|| format!("cannot write {}", entries_path.display()))?;
    }
    file.flush()
        .with_context(|| format!("cannot write {}", entries_path.display()))?;
    let checkpoint_file = &store.audit_files().checkpoint_file;
    let checkpoints = match std::fs::read_to_string(checkpoint_file) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(error) => {
            return Err(error).with_context(|| format!("cannot read {}", checkpoint_file.display()))
        }
    };
    let checkpoint_count = checkpoints
        .lines()
        .filter(|line| !line.trim().is_empty())
        .count();
    std::fs::write(out.join("checkpoints.jsonl"), checkpoints)
        .context("cannot write checkpoints.jsonl")?;
    std::fs::write(out.join("README.txt"), AUDITOR_README).context("cannot write README.txt")?;
    println!(
        "Exported {} entries and {checkpoint_count} checkpoints to {}.",
        entries.len(),
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

async fn rotate(store: &dyn Store) -> anyhow::Result<ExitCode> {
    let key = store
        .rotate_audit_key(&Actor::command_line())
        .await
        .context("cannot rotate the audit key")?;
    println!(
        "Audit key {key} is in use from now on; the older keys stay in {} to verify the older entries. Back the key file up again.",
        store.audit_files().key_file.display()
    );
    Ok(ExitCode::SUCCESS)
}

const AUDITOR_README: &str = "Puente audit log export

entries.jsonl: every entry, oldest first, one JSON object a line: id, at, actor, organisation_id,
action, record_type, record_id, case_id, detail, previous_hash, hash, key_id.

checkpoints.jsonl: the signed checkpoints, oldest first: entries (how many the log held), last_id,
head (the hash of entry last_id), at, key_id, note, signature.

How to check, without the key:
- each entry's previous_hash is the hash of the entry before it (the first links to 64 zeros);
- entry ids have no gaps;
- for each checkpoint, the log holds at least `entries` entries and the entry at that position has
  id `last_id` and hash `head`; checkpoints never go back.
With the key (given apart): hash = HMAC-SHA256(key, \"puente-audit-entry-v2\\0\" followed by each of
previous_hash, at, actor, organisation_id, action, record_type, record_id (a NUL character when
empty), detail, case_id, key_id as text, each preceded by its length in bytes as a little-endian
u64). Entries without key_id come from before the key existed: their hash is SHA-256 over
previous_hash, at, actor, organisation_id, action, record_type, record_id, detail, length-prefixed
the same way. A checkpoint's signature is HMAC-SHA256(key, \"puente-audit-checkpoint-v1\\0\" followed
by entries, last_id, head, at, key_id, note, length-prefixed the same way).
`puente audit verify` makes every one of these checks.
";
