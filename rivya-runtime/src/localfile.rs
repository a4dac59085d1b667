//! Local files the SDK reads or writes on the user's behalf: references are opened only when
//! they are regular files (a FIFO would block the open forever, a device would stream without
//! end), and files in an output directory are opened without following links.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::Path;

/// What a file that is not a regular file is, for messages (`a FIFO`, `a directory` …).
pub fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_symlink() {
        "a symbolic link"
    } else {
        "a regular file"
    }
}

fn not_regular(meta: &std::fs::Metadata) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("it is {}, not a regular file", kind_of(meta)),
    )
}

/// Opens `path` for reading when it is a regular file (links followed); anything else is
/// refused at once with what it is. The open itself never blocks: it is checked before, and
/// opened non-blocking (no effect on a regular file) in case it was swapped in between.
pub fn open_regular(path: &Path) -> io::Result<File> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    Ok(file)
}

/// The first [`HEAD_LEN`](rivya_models::files::HEAD_LEN) bytes of a regular file (opened
/// with [`open_regular`]) and its size: what an upload's kind and MIME type are detected from
/// and its size limit checked against, before anything is sent (the client's upload, the
/// batch's manifest check).
pub fn read_head(path: &Path) -> io::Result<(Vec<u8>, u64)> {
    let file = open_regular(path)?;
    let size = file.metadata()?.len();
    let mut head = Vec::with_capacity(rivya_models::files::HEAD_LEN);
    file.take(rivya_models::files::HEAD_LEN as u64)
        .read_to_end(&mut head)?;
    Ok((head, size))
}

/// Size and SHA-256 (lowercase hex) of what `file` holds from where it stands, read in 64 KiB
/// blocks (blocking: call it off the async threads). A download records it for each saved
/// file, a resumed `.part` hashed whole; the batch names reference files by it, so each is
/// uploaded once however many items use it. The caller opens the file as its case requires
/// ([`open_regular`] for a reference, never through a link for a `.part`).
pub fn hash_file(mut file: File) -> io::Result<(u64, String)> {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((size, rivya_rules::stamp::hex(&hasher.finalize())))
}

/// Opens an existing file in an output directory for reading and writing without following
/// a link, and only when it is a regular file of this user that nobody else can write: what
/// a download may resume (a planted `.part` is refused, never appended to).
pub fn open_own_nofollow(path: &Path) -> io::Result<File> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    // SAFETY: geteuid has no preconditions and cannot fail.
    if meta.uid() != unsafe { libc::geteuid() } {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            "it belongs to another user",
        ));
    }
    if meta.mode() & 0o022 != 0 {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            "others can write it",
        ));
    }
    Ok(file)
}

/// Creates `path` for writing (0600), replacing a regular file there but never following a
/// link: a link planted at the name is refused (`ELOOP`), its target untouched.
pub fn create_nofollow(path: &Path) -> io::Result<File> {
    let file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("rivya-localfile-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn hash_file_gives_size_and_sha256_from_where_the_file_stands() {
        use sha2::Digest;
        use std::io::{Seek, SeekFrom, Write};
        let dir = temp("hash");
        let path = dir.join("f");
        // More than one 64 KiB block, so the blocks are joined in order.
        let mut bytes = vec![b'x'; 70_000];
        bytes.extend_from_slice(b"abc");
        std::fs::File::create(&path)
            .unwrap()
            .write_all(&bytes)
            .unwrap();
        let (size, sha) = hash_file(open_regular(&path).unwrap()).unwrap();
        assert_eq!(size, 70_003);
        let expected = rivya_rules::stamp::hex(&sha2::Sha256::digest(&bytes));
        assert_eq!(sha, expected);
        let mut tail = open_regular(&path).unwrap();
        tail.seek(SeekFrom::Start(70_000)).unwrap();
        assert_eq!(
            hash_file(tail).unwrap(),
            (
                3,
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad".to_owned()
            )
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn special_files_are_refused_without_blocking() {
        let dir = temp("special");
        let fifo = dir.join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let e = open_regular(&fifo).unwrap_err();
        assert!(e.to_string().contains("FIFO"), "{e}");
        let e = open_regular(&dir).unwrap_err();
        assert!(e.to_string().contains("directory"), "{e}");
        let e = open_regular(Path::new("/dev/zero")).unwrap_err();
        assert!(e.to_string().contains("character device"), "{e}");
        std::fs::write(dir.join("f"), b"x").unwrap();
        open_regular(&dir.join("f")).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn links_and_writable_files_are_not_written_through() {
        use std::os::unix::fs::PermissionsExt;
        let dir = temp("links");
        let victim = dir.join("victim");
        std::fs::write(&victim, b"keep").unwrap();
        let link = dir.join("x.part");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        assert!(create_nofollow(&link).is_err());
        assert!(open_own_nofollow(&link).is_err());
        assert_eq!(std::fs::read(&victim).unwrap(), b"keep");
        let open = dir.join("open.part");
        std::fs::write(&open, b"x").unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o666)).unwrap();
        let e = open_own_nofollow(&open).unwrap_err();
        assert!(e.to_string().contains("others can write"), "{e}");
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o600)).unwrap();
        open_own_nofollow(&open).unwrap();
        let made = create_nofollow(&dir.join("new")).unwrap();
        assert_eq!(made.metadata().unwrap().permissions().mode() & 0o777, 0o600);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
