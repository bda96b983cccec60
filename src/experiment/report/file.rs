//! Writing the report (or another text file) to disk: atomically, through symbolic links,
//! and never over anything that is not a regular file.

use std::io;
use std::path::Path;

/// Where a write to `path` must go: `path` itself, or, if it is a symbolic link, the file the
/// link (chain) points to, so the link is kept. Refuses anything that is not a regular file
/// (folder, device node, FIFO, socket): such a thing is never replaced.
pub fn write_target(path: &Path) -> io::Result<std::path::PathBuf> {
    let mut target = path.to_path_buf();
    let refuse = |target: &Path, what: &str| {
        let it = if target == path {
            "it".to_string()
        } else {
            format!("it links to {}, which", target.display())
        };
        Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!(
                "{it} {what}; storelab writes only to a regular file (or a link to one) and \
                 replaces nothing else"
            ),
        ))
    };
    // 40 like the kernel's limit on links followed (ELOOP).
    for _ in 0..40 {
        let meta = match std::fs::symlink_metadata(&target) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(target),
            Err(e) => return Err(crate::experiment::output::file_in_the_way(&target, e)),
        };
        let kind = meta.file_type();
        if kind.is_symlink() {
            let link = std::fs::read_link(&target)?;
            target = match target.parent() {
                Some(dir) => dir.join(link),
                None => link,
            };
        } else if kind.is_file() {
            return Ok(target);
        } else if kind.is_dir() {
            return refuse(&target, "is a folder");
        } else {
            return refuse(&target, "is not a regular file (a device, FIFO or socket)");
        }
    }
    refuse(path, "is a chain of too many symbolic links")
}

/// Writes a report (or another text file) atomically: a temporary file in the same folder,
/// fsynced, then renamed over the target and the folder fsynced. A symbolic link is written
/// through (its target is replaced, the link stays); see [`write_target`] for what is refused.
pub fn write(path: &Path, html: &str) -> io::Result<()> {
    let target = write_target(path)?;
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    // Like `--out`, a report may go into a folder that does not exist yet.
    crate::experiment::output::create_folder(&dir)?;
    // tempfile names its hidden temporary in the error; the user asked for `path`.
    let mut tmp = tempfile::Builder::new()
        .prefix(".storelab-")
        .tempfile_in(&dir)
        .map_err(|e| {
            let os = e
                .get_ref()
                .and_then(|inner| inner.source())
                .and_then(|s| s.downcast_ref::<io::Error>())
                .and_then(io::Error::raw_os_error);
            os.map_or(e, io::Error::from_raw_os_error)
        })?;
    io::Write::write_all(&mut tmp, html.as_bytes())?;
    // Temporary files are private (0600); a report is an ordinary document, and a file that
    // is replaced keeps its mode.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&target).map_or(0o644, |m| m.permissions().mode() & 0o7777);
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    tmp.as_file().sync_all()?;
    // Checked again just before the rename, which would replace whatever stands there.
    if write_target(path)? != target {
        return Err(io::Error::other("it changed while writing; left as it was"));
    }
    tmp.persist(&target).map_err(|e| e.error)?;
    crate::experiment::output::sync_folder(&dir)
}
