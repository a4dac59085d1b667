//! `--out` is checked before anything is paid: it must be a directory we can create and write.

use std::path::Path;

use crate::failure::Failure;

/// Creates `dir` if needed and proves it writable with a probe file.
pub fn prepare(dir: &Path) -> Result<(), Failure> {
    let shown = dir.display();
    if dir.exists() && !dir.is_dir() {
        return Err(Failure::io(format!(
            "--out {shown}: exists and is not a directory; nothing was created or paid"
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| {
        Failure::io(format!(
            "--out {shown}: cannot create the directory ({e}); nothing was created or paid"
        ))
    })?;
    let probe = dir.join(format!(".rivya-write-check-{}", std::process::id()));
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .map_err(|e| {
            Failure::io(format!(
                "--out {shown}: not writable ({e}); nothing was created or paid"
            ))
        })?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_not_directories_and_missing_ones_are_made() {
        let base = std::env::temp_dir().join(format!("rivya-out-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let nested = base.join("a/b");
        prepare(&nested).unwrap();
        assert!(nested.is_dir());
        assert_eq!(
            std::fs::read_dir(&nested).unwrap().count(),
            0,
            "probe removed"
        );
        let file = base.join("file");
        std::fs::write(&file, b"x").unwrap();
        let e = prepare(&file).unwrap_err();
        assert!(e.message.contains("not a directory"), "{}", e.message);
        let e = prepare(&file.join("sub")).unwrap_err();
        assert!(e.message.contains("cannot create"), "{}", e.message);
        std::fs::remove_dir_all(&base).unwrap();
    }
}
