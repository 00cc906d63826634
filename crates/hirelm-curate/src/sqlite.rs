//! Opening the fetched SQLite sources (wages, first names) read-only, with errors naming the file.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use crate::error::{CurateError, FETCH_HINT};

/// Maps a SQLite error on `path` into this crate's error.
pub(crate) fn sqlite_error(path: &Path) -> impl Fn(rusqlite::Error) -> CurateError + Copy + '_ {
    move |e| CurateError::Sqlite {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

/// Opens a fetched database read-only; a missing file says how to fetch it.
pub(crate) fn open_source(path: &Path) -> Result<Connection, CurateError> {
    if !path.is_file() {
        return Err(CurateError::MissingSource {
            path: path.to_path_buf(),
            hint: FETCH_HINT.into(),
        });
    }
    Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(sqlite_error(path))
}
