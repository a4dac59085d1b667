//! A download's files on disk: `<stem>.part` (the bytes so far) and `<stem>.part.meta` (the
//! URL they belong to and the server's validator). Both are created 0600 and never opened
//! through a link: an output directory may hold files planted by someone else, and a planted
//! link must not make a download overwrite its target.

use std::io::{self, Read, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use crate::localfile::{create_nofollow, hash_file, kind_of, open_own_nofollow};

/// `<stem>.part.meta`: the URL a `.part` belongs to and the server's validator.
pub(crate) fn meta_path(part: &Path) -> PathBuf {
    let mut name = part.as_os_str().to_owned();
    name.push(".meta");
    PathBuf::from(name)
}

/// What is at `path` now: nothing, or a regular file of this user that others cannot write.
/// Anything else is refused with what it is (it is never written through or resumed).
fn check_existing(path: &Path) -> io::Result<Option<std::fs::Metadata>> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    // SAFETY: geteuid has no preconditions and cannot fail.
    let reason = if !meta.is_file() {
        format!("it is {}", kind_of(&meta))
    } else if meta.uid() != unsafe { libc::geteuid() } {
        "it belongs to another user".to_owned()
    } else if meta.mode() & 0o022 != 0 {
        "others can write it".to_owned()
    } else {
        return Ok(Some(meta));
    };
    Err(io::Error::new(
        io::ErrorKind::PermissionDenied,
        format!("{reason}; refusing to write or resume it (remove it to download again)"),
    ))
}

/// How much of the file a `.part` already holds, and the validator to send with `If-Range`.
/// Only a `.part` this URL started (`identity`, the URL without its query) is resumed.
pub(crate) fn resume_point(identity: &str, part: &Path) -> io::Result<(u64, Option<String>)> {
    let have = check_existing(part)?.map_or(0, |m| m.len());
    let meta = meta_path(part);
    check_existing(&meta)?;
    if have == 0 {
        return Ok((0, None));
    }
    let mut text = String::new();
    let read = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(&meta)
        .and_then(|f| f.take(64 * 1024).read_to_string(&mut text));
    match read {
        Ok(_) if text.lines().next() == Some(identity) => {
            let validator = text.lines().nth(1).filter(|v| !v.is_empty());
            Ok((have, validator.map(str::to_owned)))
        }
        _ => Ok((0, None)),
    }
}

/// Writes the `.part.meta` note (0600, never through a link).
pub(crate) fn write_meta(part: &Path, note: &str) -> io::Result<()> {
    let meta = meta_path(part);
    check_existing(&meta)?;
    let mut f = create_nofollow(&meta)?;
    f.write_all(note.as_bytes())
}

/// Opens the `.part` to append to (resuming) or to start over (truncated, created 0600).
pub(crate) async fn open_part(part: &Path, append: bool) -> io::Result<tokio::fs::File> {
    check_existing(part)?;
    let file = if append {
        let mut f = open_own_nofollow(part)?;
        std::io::Seek::seek(&mut f, io::SeekFrom::End(0))?;
        f
    } else {
        create_nofollow(part)?
    };
    Ok(tokio::fs::File::from_std(file))
}

/// Size and SHA-256 of a `.part`, never read through a link (a resumed download is hashed
/// whole, not just the part fetched last).
pub(crate) fn hash_part(path: &Path) -> io::Result<(u64, String)> {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)?;
    hash_file(file)
}
