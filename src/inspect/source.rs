//! Where an artifact's bytes come from: a file (re-opened per parallel reader) or a buffer, and
//! the reader that hashes every byte that passes through it.

use super::FileReport;
use crate::model::problem::ProblemCode;
use sha2::{Digest, Sha256};
use std::io::{self, Cursor, Read, Seek};
use std::path::PathBuf;

/// Anything `Read + Seek` that can move to another thread.
pub trait ReadSeek: Read + Seek + Send {}
impl<T: Read + Seek + Send> ReadSeek for T {}

/// Bytes that can be opened more than once, so large members can be read in parallel.
pub trait Source: Sync {
    fn size(&self) -> u64;
    fn open(&self) -> io::Result<Box<dyn ReadSeek + '_>>;
}

pub(super) struct FileSource {
    pub path: PathBuf,
    pub len: u64,
}

impl Source for FileSource {
    fn size(&self) -> u64 {
        self.len
    }
    fn open(&self) -> io::Result<Box<dyn ReadSeek + '_>> {
        Ok(Box::new(std::fs::File::open(&self.path)?))
    }
}

pub(super) struct BytesSource<'a>(pub &'a [u8]);

impl Source for BytesSource<'_> {
    fn size(&self) -> u64 {
        self.0.len() as u64
    }
    fn open(&self) -> io::Result<Box<dyn ReadSeek + '_>> {
        Ok(Box::new(Cursor::new(self.0)))
    }
}

/// Passes bytes through, feeding every one into a sha256 and counting them.
pub(crate) struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    pub count: u64,
}

impl<R: Read> HashingReader<R> {
    pub fn new(inner: R) -> Self {
        Self { inner, hasher: Sha256::new(), count: 0 }
    }

    /// Reads the rest of the stream and returns the hex digest of everything read.
    pub fn finish(mut self) -> io::Result<(String, u64)> {
        io::copy(&mut self, &mut io::sink())?;
        Ok((super::hex(&self.hasher.finalize()), self.count))
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }
}

/// Hashes a file that is not inspected further.
pub(super) fn hash_only(source: &dyn Source, report: &mut FileReport) {
    let result = source.open().and_then(|r| HashingReader::new(r).finish());
    match result {
        Ok((digest, _)) => report.sha256 = digest,
        Err(e) => report.problem(ProblemCode::Unreadable, format!("cannot read: {e}")),
    }
}
