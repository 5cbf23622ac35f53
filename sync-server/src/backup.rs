//! `sync-server backup --to FILE` and `sync-server restore --from FILE`: a consistent copy of
//! everything in `gather.sqlite3` (documents, share links, audit log, responses, photos,
//! rosters), made while the server runs, and putting one back.
//!
//! The copy is SQLite's `VACUUM INTO`, a snapshot of one read transaction: the server keeps
//! writing meanwhile, and the file is complete and consistent whenever it was taken. The
//! server key (`secret.key`) is not in it: keep it apart, since with both files anyone can open
//! every link.

use std::path::Path;

use anyhow::{bail, Context};
use rusqlite::{Connection, OpenFlags};

const DB_FILE: &str = "gather.sqlite3";

/// Writes a consistent copy of `data_dir`'s database to `to` (which must not exist yet), and
/// checks it. Returns the copy's size in bytes.
pub fn backup(data_dir: &Path, to: &Path) -> anyhow::Result<u64> {
    let db = data_dir.join(DB_FILE);
    if !db.exists() {
        bail!("no {} in {}", DB_FILE, data_dir.display());
    }
    if to.exists() {
        bail!("{} exists already: choose a new file", to.display());
    }
    // Made readable by this user only before anything is in it: it holds every response.
    {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options
            .open(to)
            .with_context(|| format!("could not create {}", to.display()))?;
    }
    let conn = Connection::open_with_flags(&db, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    let target = to.to_str().context("the backup path must be UTF-8")?;
    conn.execute("VACUUM INTO ?1", [target])
        .with_context(|| format!("could not write {}", to.display()))?;
    check(to)?;
    // On disk before we say it is done.
    std::fs::File::open(to)?.sync_all()?;
    Ok(std::fs::metadata(to)?.len())
}

/// Replaces `data_dir`'s database with the backup `from`. The server must be stopped: this
/// refuses to overwrite a database that has a write-ahead log in use unless `force`.
pub fn restore(from: &Path, data_dir: &Path, force: bool) -> anyhow::Result<()> {
    check(from).with_context(|| format!("{} is not a Gather backup", from.display()))?;
    let db = data_dir.join(DB_FILE);
    let wal = data_dir.join(format!("{DB_FILE}-wal"));
    if db.exists() && !force {
        bail!(
            "{} exists: stop the server, then run restore again with --force to replace it",
            db.display()
        );
    }
    std::fs::create_dir_all(data_dir)?;
    let incoming = data_dir.join(format!("{DB_FILE}.restoring"));
    std::fs::copy(from, &incoming)?;
    std::fs::File::open(&incoming)?.sync_all()?;
    // The old log and shared memory belong to the old file.
    for stale in [wal, data_dir.join(format!("{DB_FILE}-shm"))] {
        if stale.exists() {
            std::fs::remove_file(stale)?;
        }
    }
    std::fs::rename(&incoming, &db)?;
    if let Ok(dir) = std::fs::File::open(data_dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Whether `file` is an intact SQLite database holding Gather's tables.
fn check(file: &Path) -> anyhow::Result<()> {
    let conn = Connection::open_with_flags(file, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let verdict: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if verdict != "ok" {
        bail!("integrity check failed: {verdict}");
    }
    let has_updates = conn
        .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'updates'")?
        .exists([])?;
    if !has_updates {
        bail!("it holds no Gather documents");
    }
    Ok(())
}
