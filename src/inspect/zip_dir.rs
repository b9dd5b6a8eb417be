//! The zip container read directly from its records (PKWARE APPNOTE 4.3): the end of central
//! directory record (and its zip64 form), the central directory entries, and local file headers.
//!
//! Reading the records ourselves lets verify-wheels see what general-purpose zip readers smooth
//! over and PyPI refuses: data descriptors, comments, trailing bytes, zip64 extensible data,
//! entries outside the archive, headers that disagree with the directory.

use std::io::{self, Read, Seek, SeekFrom};

const EOCD_SIG: u32 = 0x0605_4b50;
const EOCD64_SIG: u32 = 0x0606_4b50;
const EOCD64_LOCATOR_SIG: u32 = 0x0706_4b50;
const CENTRAL_SIG: u32 = 0x0201_4b50;
pub const LOCAL_SIG: u32 = 0x0403_4b50;
const EOCD_LEN: u64 = 22;
const MAX_COMMENT: u64 = 0xFFFF;
/// A central directory bigger than this is refused rather than read into memory.
const MAX_CENTRAL_DIRECTORY: u64 = 512 * 1024 * 1024;

/// General-purpose flag bits.
pub const FLAG_ENCRYPTED: u16 = 1;
pub const FLAG_DATA_DESCRIPTOR: u16 = 1 << 3;
pub const FLAG_UTF8: u16 = 1 << 11;

pub const METHOD_STORED: u16 = 0;
pub const METHOD_DEFLATED: u16 = 8;

/// One central-directory record.
#[derive(Debug, Clone)]
pub struct CdEntry {
    /// The name decoded as UTF-8 (lossily, see `name_is_utf8`).
    pub name: String,
    pub name_raw: Vec<u8>,
    pub name_is_utf8: bool,
    pub flags: u16,
    pub method: u16,
    pub crc32: u32,
    pub compressed_size: u64,
    pub uncompressed_size: u64,
    pub local_offset: u64,
    pub comment_len: usize,
}

impl CdEntry {
    pub fn is_dir(&self) -> bool {
        self.name.ends_with('/')
    }
}

/// The archive's directory and the facts about its tail.
#[derive(Debug, Clone)]
pub struct CentralDirectory {
    pub entries: Vec<CdEntry>,
    /// Where the central directory starts (as the end record says).
    pub cd_offset: u64,
    /// Length of the archive comment.
    pub comment_len: u64,
    /// Bytes after the end record.
    pub trailing: u64,
    /// The zip64 end record carries an extensible data sector.
    pub zip64_extensible_data: bool,
}

/// Why the directory cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum DirError {
    /// No end record, and the file starts like a zip: cut short.
    #[error("no end of central directory record: the file is truncated")]
    Truncated,
    #[error("not a zip archive (no end of central directory record)")]
    NotZip,
    #[error("central directory is unreadable: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Io(#[from] io::Error),
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    b.get(at..at + 2).map_or(0, |s| u16::from_le_bytes([s[0], s[1]]))
}
fn u32_at(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4).map_or(0, |s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}
fn u64_at(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 8).map_or(0, |s| {
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        u64::from_le_bytes(a)
    })
}

/// Reads the end record and the whole central directory (seeks to the tail; small reads).
pub fn read_central_directory<R: Read + Seek>(
    r: &mut R,
    len: u64,
) -> Result<CentralDirectory, DirError> {
    let tail_len = len.min(EOCD_LEN + MAX_COMMENT + 4096);
    let tail_start = len - tail_len;
    let mut tail = vec![0u8; tail_len as usize];
    r.seek(SeekFrom::Start(tail_start))?;
    r.read_exact(&mut tail)?;

    // Search backwards for an end record whose comment fits inside the file.
    let mut found = None;
    if tail.len() >= EOCD_LEN as usize {
        for pos in (0..=tail.len() - EOCD_LEN as usize).rev() {
            if u32_at(&tail, pos) == EOCD_SIG {
                let comment = u16_at(&tail, pos + 20) as usize;
                if pos + EOCD_LEN as usize + comment <= tail.len() {
                    found = Some(pos);
                    break;
                }
            }
        }
    }
    let Some(pos) = found else {
        let mut head = [0u8; 4];
        r.seek(SeekFrom::Start(0))?;
        let starts_like_zip =
            r.read_exact(&mut head).is_ok() && u32::from_le_bytes(head) == LOCAL_SIG;
        return Err(if starts_like_zip { DirError::Truncated } else { DirError::NotZip });
    };
    let eocd = &tail[pos..];
    let eocd_offset = tail_start + pos as u64;
    let comment_len = u64::from(u16_at(eocd, 20));
    let trailing = len - (eocd_offset + EOCD_LEN + comment_len);
    let disk = u16_at(eocd, 4);
    let cd_disk = u16_at(eocd, 6);
    let mut entries_total = u64::from(u16_at(eocd, 10));
    let mut cd_size = u64::from(u32_at(eocd, 12));
    let mut cd_offset = u64::from(u32_at(eocd, 16));
    if disk != 0 || cd_disk != 0 {
        return Err(DirError::Corrupt("multi-disk archives are not supported".into()));
    }
    let mut zip64_extensible_data = false;
    let mut cd_end = eocd_offset;
    let needs_zip64 = entries_total == 0xFFFF || cd_size == 0xFFFF_FFFF || cd_offset == 0xFFFF_FFFF;
    if eocd_offset >= 20 {
        let mut loc = [0u8; 20];
        r.seek(SeekFrom::Start(eocd_offset - 20))?;
        r.read_exact(&mut loc)?;
        if u32_at(&loc, 0) == EOCD64_LOCATOR_SIG {
            let rec_offset = u64_at(&loc, 8);
            if rec_offset.checked_add(56).is_none_or(|end| end > eocd_offset - 20) {
                return Err(DirError::Corrupt("zip64 end record is outside the file".into()));
            }
            let mut rec = [0u8; 56];
            r.seek(SeekFrom::Start(rec_offset))?;
            r.read_exact(&mut rec)?;
            if u32_at(&rec, 0) != EOCD64_SIG {
                return Err(DirError::Corrupt("zip64 end record signature is wrong".into()));
            }
            let record_size = u64_at(&rec, 4);
            zip64_extensible_data = record_size > 44;
            entries_total = u64_at(&rec, 32);
            cd_size = u64_at(&rec, 40);
            cd_offset = u64_at(&rec, 48);
            cd_end = rec_offset;
        } else if needs_zip64 {
            return Err(DirError::Corrupt("zip64 values without a zip64 end record".into()));
        }
    }
    if cd_offset.checked_add(cd_size).is_none_or(|end| end > cd_end) {
        return Err(DirError::Corrupt(format!(
            "the end record places {cd_size} bytes of directory at offset {cd_offset}, beyond the end record at {cd_end}"
        )));
    }
    if cd_offset + cd_size != cd_end {
        return Err(DirError::Corrupt(format!(
            "{} unexplained bytes between the central directory and the end record",
            cd_end - (cd_offset + cd_size)
        )));
    }
    if cd_size > MAX_CENTRAL_DIRECTORY {
        return Err(DirError::Corrupt(format!(
            "central directory of {cd_size} bytes is too large"
        )));
    }
    if entries_total.saturating_mul(46) > cd_size {
        return Err(DirError::Corrupt(format!(
            "{entries_total} entries cannot fit in a {cd_size}-byte central directory"
        )));
    }
    let mut cd = vec![0u8; cd_size as usize];
    r.seek(SeekFrom::Start(cd_offset))?;
    r.read_exact(&mut cd)?;
    let entries = parse_entries(&cd, entries_total)?;
    Ok(CentralDirectory { entries, cd_offset, comment_len, trailing, zip64_extensible_data })
}

fn parse_entries(cd: &[u8], count: u64) -> Result<Vec<CdEntry>, DirError> {
    // The count comes from the file: reserve modestly, grow as records actually parse.
    let mut entries = Vec::with_capacity(count.min(4096) as usize);
    let mut at = 0usize;
    for i in 0..count {
        let corrupt = |what: &str| DirError::Corrupt(format!("entry {}: {what}", i + 1));
        if at + 46 > cd.len() || u32_at(cd, at) != CENTRAL_SIG {
            return Err(corrupt("bad central directory record signature"));
        }
        let h = &cd[at..];
        let flags = u16_at(h, 8);
        let method = u16_at(h, 10);
        let crc32 = u32_at(h, 16);
        let mut compressed_size = u64::from(u32_at(h, 20));
        let mut uncompressed_size = u64::from(u32_at(h, 24));
        let name_len = usize::from(u16_at(h, 28));
        let extra_len = usize::from(u16_at(h, 30));
        let comment_len = usize::from(u16_at(h, 32));
        let disk = u16_at(h, 34);
        let mut local_offset = u64::from(u32_at(h, 42));
        let record_len = 46 + name_len + extra_len + comment_len;
        if at + record_len > cd.len() {
            return Err(corrupt("record runs past the end of the central directory"));
        }
        let name_raw = h[46..46 + name_len].to_vec();
        let extra = &h[46 + name_len..46 + name_len + extra_len];
        // Zip64 extended information: only the fields saturated in the record are present.
        if let Some(z) = find_extra(extra, 0x0001) {
            let mut p = 0;
            let mut take = |field: &mut u64, saturated: bool| -> Result<(), DirError> {
                if saturated {
                    if p + 8 > z.len() {
                        return Err(corrupt("zip64 extra field too short"));
                    }
                    *field = u64_at(z, p);
                    p += 8;
                }
                Ok(())
            };
            let saturated = (
                uncompressed_size == 0xFFFF_FFFF,
                compressed_size == 0xFFFF_FFFF,
                local_offset == 0xFFFF_FFFF,
            );
            take(&mut uncompressed_size, saturated.0)?;
            take(&mut compressed_size, saturated.1)?;
            take(&mut local_offset, saturated.2)?;
        }
        if disk != 0 && disk != 0xFFFF {
            return Err(corrupt("entry on another disk"));
        }
        let (name, name_is_utf8) = match String::from_utf8(name_raw.clone()) {
            Ok(s) => (s, true),
            Err(_) => (String::from_utf8_lossy(&name_raw).into_owned(), false),
        };
        entries.push(CdEntry {
            name,
            name_raw,
            name_is_utf8,
            flags,
            method,
            crc32,
            compressed_size,
            uncompressed_size,
            local_offset,
            comment_len,
        });
        at += record_len;
    }
    if at != cd.len() {
        return Err(DirError::Corrupt(format!(
            "{} bytes left in the central directory after its {count} entries",
            cd.len() - at
        )));
    }
    Ok(entries)
}

fn find_extra(mut extra: &[u8], id: u16) -> Option<&[u8]> {
    while extra.len() >= 4 {
        let this = u16_at(extra, 0);
        let size = usize::from(u16_at(extra, 2));
        let body = extra.get(4..4 + size)?;
        if this == id {
            return Some(body);
        }
        extra = &extra[4 + size..];
    }
    None
}

/// A local file header, as found in front of an entry's data.
#[derive(Debug, Clone)]
pub struct LocalHeader {
    pub flags: u16,
    pub method: u16,
    pub crc32: u32,
    pub compressed_size: u64,
    pub uncompressed_size: u64,
    pub name_raw: Vec<u8>,
    /// 30 + name + extra: where the data starts, relative to the header.
    pub header_len: u64,
}

/// Reads a local header from `r`. `Ok(Err(_))` when the bytes are not a local header.
pub fn read_local_header<R: Read>(r: &mut R) -> io::Result<Result<LocalHeader, String>> {
    let mut fixed = [0u8; 30];
    r.read_exact(&mut fixed)?;
    if u32_at(&fixed, 0) != LOCAL_SIG {
        return Ok(Err("no local file header signature at the offset the directory gives".into()));
    }
    let name_len = usize::from(u16_at(&fixed, 26));
    let extra_len = usize::from(u16_at(&fixed, 28));
    let mut rest = vec![0u8; name_len + extra_len];
    r.read_exact(&mut rest)?;
    let mut compressed_size = u64::from(u32_at(&fixed, 18));
    let mut uncompressed_size = u64::from(u32_at(&fixed, 22));
    if let Some(z) = find_extra(&rest[name_len..], 0x0001) {
        if uncompressed_size == 0xFFFF_FFFF && z.len() >= 8 {
            uncompressed_size = u64_at(z, 0);
        }
        if compressed_size == 0xFFFF_FFFF && z.len() >= 16 {
            compressed_size = u64_at(z, 8);
        }
    }
    rest.truncate(name_len);
    Ok(Ok(LocalHeader {
        flags: u16_at(&fixed, 6),
        method: u16_at(&fixed, 8),
        crc32: u32_at(&fixed, 14),
        compressed_size,
        uncompressed_size,
        name_raw: rest,
        header_len: 30 + (name_len + extra_len) as u64,
    }))
}

impl LocalHeader {
    /// The first field in which this header disagrees with the directory, if any.
    pub fn mismatch(&self, cd: &CdEntry) -> Option<String> {
        if self.name_raw != cd.name_raw {
            return Some(format!("name {:?}", String::from_utf8_lossy(&self.name_raw)));
        }
        if self.method != cd.method {
            return Some(format!("compression method {} (directory: {})", self.method, cd.method));
        }
        if (self.flags ^ cd.flags) & (FLAG_DATA_DESCRIPTOR | FLAG_ENCRYPTED | FLAG_UTF8) != 0 {
            return Some(format!("flags {:#06x} (directory: {:#06x})", self.flags, cd.flags));
        }
        if self.flags & FLAG_DATA_DESCRIPTOR == 0 {
            if self.crc32 != cd.crc32 {
                return Some(format!("CRC-32 {:08x} (directory: {:08x})", self.crc32, cd.crc32));
            }
            if self.compressed_size != cd.compressed_size {
                return Some(format!(
                    "compressed size {} (directory: {})",
                    self.compressed_size, cd.compressed_size
                ));
            }
            if self.uncompressed_size != cd.uncompressed_size {
                return Some(format!(
                    "size {} (directory: {})",
                    self.uncompressed_size, cd.uncompressed_size
                ));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// A one-entry stored zip written by hand: "hi" in `a.txt`.
    fn tiny(comment: &[u8], trailing: &[u8]) -> Vec<u8> {
        let crc = crc32fast::hash(b"hi");
        let mut z = Vec::new();
        z.extend(LOCAL_SIG.to_le_bytes());
        z.extend([20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        z.extend(crc.to_le_bytes());
        z.extend(2u32.to_le_bytes());
        z.extend(2u32.to_le_bytes());
        z.extend(5u16.to_le_bytes());
        z.extend(0u16.to_le_bytes());
        z.extend(b"a.txt");
        z.extend(b"hi");
        let cd_offset = z.len() as u32;
        z.extend(CENTRAL_SIG.to_le_bytes());
        z.extend([20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        z.extend(crc.to_le_bytes());
        z.extend(2u32.to_le_bytes());
        z.extend(2u32.to_le_bytes());
        z.extend(5u16.to_le_bytes());
        z.extend([0u8; 12]);
        z.extend(0u32.to_le_bytes());
        z.extend(b"a.txt");
        let cd_size = z.len() as u32 - cd_offset;
        z.extend(EOCD_SIG.to_le_bytes());
        z.extend([0, 0, 0, 0, 1, 0, 1, 0]);
        z.extend(cd_size.to_le_bytes());
        z.extend(cd_offset.to_le_bytes());
        z.extend((comment.len() as u16).to_le_bytes());
        z.extend(comment);
        z.extend(trailing);
        z
    }

    #[test]
    fn reads_a_minimal_archive() {
        let z = tiny(b"", b"");
        let dir = read_central_directory(&mut Cursor::new(&z), z.len() as u64).unwrap();
        assert_eq!(dir.entries.len(), 1);
        let e = &dir.entries[0];
        assert_eq!((e.name.as_str(), e.compressed_size, e.local_offset), ("a.txt", 2, 0));
        assert_eq!((dir.comment_len, dir.trailing), (0, 0));
        let lh = read_local_header(&mut Cursor::new(&z)).unwrap().unwrap();
        assert_eq!(lh.header_len, 35);
        assert!(lh.mismatch(e).is_none());
    }

    #[test]
    fn sees_comments_trailing_bytes_and_truncation() {
        let z = tiny(b"hello", b"junk");
        let dir = read_central_directory(&mut Cursor::new(&z), z.len() as u64).unwrap();
        assert_eq!((dir.comment_len, dir.trailing), (5, 4));
        let cut = &z[..z.len() - 30];
        assert!(matches!(
            read_central_directory(&mut Cursor::new(cut), cut.len() as u64),
            Err(DirError::Truncated)
        ));
        let junk = b"this is not a zip at all, not even close".to_vec();
        assert!(matches!(
            read_central_directory(&mut Cursor::new(&junk), junk.len() as u64),
            Err(DirError::NotZip)
        ));
    }
}
