//! One wheel, one streaming pass: read the central directory from the tail, read RECORD, then
//! stream the file from start to end once, hashing every byte for the file's sha256 and
//! inflating every member exactly once (CRC-32, size and the RECORD hash computed together);
//! members of `parallel_member_size` or more are inflated on other threads from their own file
//! handle while the main pass hashes past their compressed bytes.

use super::source::{HashingReader, Source};
use super::zip_dir::{
    self, CdEntry, CentralDirectory, DirError, FLAG_DATA_DESCRIPTOR, FLAG_ENCRYPTED,
    METHOD_DEFLATED, METHOD_STORED,
};
use super::{FileReport, InspectOptions, core_metadata_problems, unsafe_path};
use crate::model::metadata::{Metadata, parse_metadata};
use crate::model::problem::{Problem, ProblemCode};
use crate::model::record::{
    HashAlgorithm, RecordEntry, RecordHash, encode_hash, is_record_or_signature, parse_record,
};
use crate::model::wheel_name::{WheelName, expand_tag_set, normalize_name, same_version};
use rayon::prelude::*;
use sha2::{Digest, Sha256, Sha384, Sha512};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};

/// METADATA, WHEEL and RECORD bigger than this are not kept in memory.
const CAPTURE_LIMIT: u64 = 32 * 1024 * 1024;
const READ_BUFFER: usize = 256 * 1024;
/// How many member names a message lists before saying "and N more".
const LIST_LIMIT: usize = 5;

/// What to do with one member during the pass.
#[derive(Debug, Clone, Copy, Default)]
struct Plan {
    inflate: bool,
    parallel: bool,
    algorithm: Option<HashAlgorithm>,
    capture: bool,
}

/// What inflating one member found.
#[derive(Debug, Default)]
struct Inflated {
    crc32: u32,
    size: u64,
    digest: Option<Vec<u8>>,
    /// The member inflated past its declared size; inflation stopped there.
    overflow: bool,
    error: Option<String>,
    captured: Option<Vec<u8>>,
}

impl Inflated {
    fn content_ok(&self, entry: &CdEntry) -> bool {
        self.error.is_none()
            && !self.overflow
            && self.size == entry.uncompressed_size
            && self.crc32 == entry.crc32
    }
}

enum MemberHasher {
    None,
    Sha256(Sha256),
    Sha384(Sha384),
    Sha512(Sha512),
}

impl MemberHasher {
    fn new(algorithm: Option<HashAlgorithm>) -> Self {
        match algorithm {
            None => MemberHasher::None,
            Some(HashAlgorithm::Sha256) => MemberHasher::Sha256(Sha256::new()),
            Some(HashAlgorithm::Sha384) => MemberHasher::Sha384(Sha384::new()),
            Some(HashAlgorithm::Sha512) => MemberHasher::Sha512(Sha512::new()),
        }
    }
    fn update(&mut self, data: &[u8]) {
        match self {
            MemberHasher::None => {}
            MemberHasher::Sha256(h) => h.update(data),
            MemberHasher::Sha384(h) => h.update(data),
            MemberHasher::Sha512(h) => h.update(data),
        }
    }
    fn finish(self) -> Option<Vec<u8>> {
        match self {
            MemberHasher::None => None,
            MemberHasher::Sha256(h) => Some(h.finalize().to_vec()),
            MemberHasher::Sha384(h) => Some(h.finalize().to_vec()),
            MemberHasher::Sha512(h) => Some(h.finalize().to_vec()),
        }
    }
}

/// Inflates (or copies, for STORED) one member's compressed bytes from `data`.
fn inflate<R: BufRead>(data: R, entry: &CdEntry, plan: Plan, buf: &mut [u8]) -> Inflated {
    if entry.method == METHOD_DEFLATED {
        pump(flate2::bufread::DeflateDecoder::new(data), entry, plan, buf)
    } else {
        pump(data, entry, plan, buf)
    }
}

/// Reads a member's content to its end, computing CRC-32, size, the RECORD hash and keeping a
/// copy when asked; stops as soon as it passes the declared size.
fn pump<R: Read>(mut reader: R, entry: &CdEntry, plan: Plan, buf: &mut [u8]) -> Inflated {
    let mut out = Inflated::default();
    let mut crc = crc32fast::Hasher::new();
    let mut hasher = MemberHasher::new(plan.algorithm);
    let mut captured = plan.capture.then(Vec::new);
    loop {
        let n = match reader.read(buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                out.error = Some(e.to_string());
                break;
            }
        };
        let chunk = &buf[..n];
        crc.update(chunk);
        hasher.update(chunk);
        out.size += n as u64;
        if let Some(c) = captured.as_mut()
            && (c.len() as u64) < CAPTURE_LIMIT
        {
            c.extend_from_slice(chunk);
        }
        if out.size > entry.uncompressed_size {
            out.overflow = true;
            break;
        }
    }
    out.crc32 = crc.finalize();
    out.digest = hasher.finish();
    out.captured = captured;
    out
}

/// Inflates one member through its own reader (parallel members, RECORD).
fn inflate_at(source: &dyn Source, entry: &CdEntry, plan: Plan) -> Inflated {
    let run = || -> io::Result<Inflated> {
        let mut r = BufReader::with_capacity(READ_BUFFER, source.open()?);
        r.seek(SeekFrom::Start(entry.local_offset))?;
        // Header disagreements are the main pass's to report; here it only positions the data.
        zip_dir::read_local_header(&mut r)?.map_err(io::Error::other)?;
        let mut buf = vec![0u8; READ_BUFFER];
        Ok(inflate((&mut r).take(entry.compressed_size), entry, plan, &mut buf))
    };
    run().unwrap_or_else(|e| Inflated { error: Some(e.to_string()), ..Inflated::default() })
}

/// Collects per-member findings of one kind into one problem naming the members.
fn grouped(code: ProblemCode, names: &[String], what: &str) -> Option<Problem> {
    match names {
        [] => None,
        [one] => Some(Problem::in_member(code, one.clone(), what.to_owned())),
        many => {
            let mut list: Vec<&str> = many.iter().take(LIST_LIMIT).map(String::as_str).collect();
            let more = many.len().saturating_sub(LIST_LIMIT);
            let tail = if more > 0 { format!(" and {more} more") } else { String::new() };
            list.sort_unstable();
            Some(Problem::new(
                code,
                format!("{} members: {what}: {}{tail}", many.len(), list.join(", ")),
            ))
        }
    }
}

pub(super) fn inspect(source: &dyn Source, opts: &InspectOptions, report: &mut FileReport) {
    let dir = match source
        .open()
        .map_err(DirError::Io)
        .and_then(|mut r| zip_dir::read_central_directory(&mut r, source.size()))
    {
        Ok(dir) => dir,
        Err(e) => {
            let code = match &e {
                DirError::Truncated => ProblemCode::Truncated,
                DirError::NotZip => ProblemCode::NotAZip,
                DirError::Corrupt(_) => ProblemCode::CentralDirectory,
                DirError::Io(_) => ProblemCode::Unreadable,
            };
            report.problem(code, e.to_string());
            if code != ProblemCode::Unreadable {
                super::source::hash_only(source, report);
            }
            return;
        }
    };
    report.members = dir.entries.len() as u64;
    let entries = &dir.entries;
    let mut problems = structure_problems(&dir, source.size());

    // Decompression-ratio guard, from the declared sizes, before inflating anything.
    let declared: u64 = entries.iter().map(|e| e.uncompressed_size).fold(0, u64::saturating_add);
    let bomb = declared >= opts.bomb_min_size && declared / source.size().max(1) > opts.bomb_ratio;
    if bomb {
        problems.push(Problem::new(
            ProblemCode::ZipBomb,
            format!(
                "declares {declared} inflated bytes from {} ({}×, the limit is {}× at {} MiB or more); not inflated",
                source.size(),
                declared / source.size().max(1),
                opts.bomb_ratio,
                opts.bomb_min_size / (1024 * 1024)
            ),
        ));
    }

    let mut plans: Vec<Plan> = entries
        .iter()
        .map(|e| Plan {
            inflate: !bomb
                && !e.is_dir()
                && within_bounds(e, dir.cd_offset)
                && matches!(e.method, METHOD_STORED | METHOD_DEFLATED)
                && e.flags & FLAG_ENCRYPTED == 0,
            ..Plan::default()
        })
        .collect();

    // The .dist-info directory, and RECORD read before the pass so hashes use its algorithms.
    let wheel = report.wheel.clone();
    let dist_info = find_dist_info(entries, wheel.as_ref(), &mut problems);
    let index: HashMap<&str, usize> =
        entries.iter().enumerate().map(|(i, e)| (e.name.as_str(), i)).collect();
    let member = |suffix: &str| {
        dist_info.as_ref().and_then(|d| index.get(format!("{d}/{suffix}").as_str()).copied())
    };
    let (record_idx, metadata_idx, wheel_idx) =
        (member("RECORD"), member("METADATA"), member("WHEEL"));
    let mut results: Vec<Option<Inflated>> = entries.iter().map(|_| None).collect();
    let mut record: Option<HashMap<String, RecordEntry>> = None;
    match (record_idx, &dist_info) {
        (Some(i), _) if plans[i].inflate => {
            let plan = Plan { capture: true, ..plans[i] };
            let got = inflate_at(source, &entries[i], plan);
            if got.content_ok(&entries[i]) {
                record =
                    parse_record_member(&entries[i].name, got.captured.as_deref(), &mut problems);
            }
            results[i] = Some(got);
            plans[i].inflate = false;
        }
        (Some(_), _) => {}
        (None, Some(d)) => problems
            .push(Problem::new(ProblemCode::RecordMissing, format!("{d}/RECORD is missing"))),
        (None, None) => {}
    }
    for (i, e) in entries.iter().enumerate() {
        let plan = &mut plans[i];
        if let Some(rows) = &record
            && let Some(RecordEntry { hash: RecordHash::Digest { algorithm, .. }, .. }) =
                rows.get(&e.name)
        {
            plan.algorithm = Some(*algorithm);
        }
        plan.capture = Some(i) == metadata_idx || Some(i) == wheel_idx;
        plan.parallel = plan.inflate && e.compressed_size >= opts.parallel_member_size;
    }

    // The pass: main stream here, large members in parallel beside it.
    let parallel: Vec<usize> = (0..entries.len()).filter(|&i| plans[i].parallel).collect();
    let (stream, large) = rayon::join(
        || stream_pass(source, &dir, &plans),
        || {
            parallel
                .par_iter()
                .map(|&i| (i, inflate_at(source, &entries[i], plans[i])))
                .collect::<Vec<_>>()
        },
    );
    match stream {
        Ok(s) => {
            report.sha256 = s.sha256;
            problems.extend(s.problems);
            for (i, r) in s.results.into_iter().enumerate() {
                if r.is_some() {
                    results[i] = r;
                }
            }
        }
        Err(e) => problems.push(Problem::new(ProblemCode::Unreadable, format!("cannot read: {e}"))),
    }
    for (i, r) in large {
        results[i] = Some(r);
    }

    content_problems(entries, &results, &mut problems);
    report.inflated = results.iter().flatten().map(|r| r.size).sum();
    if let Some(rows) = &record {
        problems.extend(record_problems(entries, &results, rows));
    }
    let captured = |idx: Option<usize>| {
        idx.and_then(|i| {
            results[i]
                .as_ref()
                .filter(|r| r.content_ok(&entries[i]))
                .and_then(|r| r.captured.clone())
        })
    };
    if let (Some(_), None) = (&dist_info, &wheel) {
        // The filename did not parse (already a problem): still parse METADATA for the report.
        let text = captured(metadata_idx).and_then(|b| String::from_utf8(b).ok());
        report.metadata = text.map(|t| parse_metadata(&t));
    }
    if let (Some(d), Some(w)) = (&dist_info, &wheel) {
        match metadata_idx {
            None => problems.push(Problem::new(
                ProblemCode::MetadataMissing,
                format!("{d}/METADATA is missing"),
            )),
            Some(i) => {
                if let Some(bytes) = captured(Some(i)) {
                    let meta = metadata_problems(&entries[i].name, &bytes, w, &mut problems);
                    if let Some(m) = &meta {
                        let missing = super::missing_license_files(m, |f| {
                            index.contains_key(format!("{d}/licenses/{f}").as_str())
                        });
                        problems.extend(missing.into_iter().map(|f| {
                            Problem::in_member(
                                ProblemCode::LicenseFileMissing,
                                entries[i].name.clone(),
                                format!("License-File {f} is not in the wheel at {d}/licenses/{f}"),
                            )
                        }));
                    }
                    report.metadata = meta;
                }
            }
        }
        match wheel_idx {
            None => problems
                .push(Problem::new(ProblemCode::WheelFileMissing, format!("{d}/WHEEL is missing"))),
            Some(i) => {
                if let Some(bytes) = captured(Some(i)) {
                    wheel_file_problems(&entries[i].name, &bytes, w, &mut problems);
                }
            }
        }
    }
    report.problems.extend(problems);
}

/// Whether an entry's header and data can lie before the central directory at all.
fn within_bounds(e: &CdEntry, cd_offset: u64) -> bool {
    e.local_offset.saturating_add(30 + e.name_raw.len() as u64).saturating_add(e.compressed_size)
        <= cd_offset
}

/// Problems visible in the directory alone.
fn structure_problems(dir: &CentralDirectory, len: u64) -> Vec<Problem> {
    let mut problems = Vec::new();
    if dir.comment_len > 0 {
        problems.push(Problem::new(
            ProblemCode::ArchiveComment,
            format!(
                "has a {}-byte archive comment (PyPI refuses archive comments)",
                dir.comment_len
            ),
        ));
    }
    if dir.trailing > 0 {
        problems.push(Problem::new(
            ProblemCode::TrailingData,
            format!("{} bytes follow the end of central directory record", dir.trailing),
        ));
    }
    if dir.zip64_extensible_data {
        problems.push(Problem::new(
            ProblemCode::Zip64ExtensibleData,
            "the zip64 end record carries extensible data (PyPI refuses it)",
        ));
    }
    let mut descriptors = Vec::new();
    let mut methods = Vec::new();
    let mut encrypted = Vec::new();
    let mut comments = Vec::new();
    let mut seen = HashSet::new();
    for e in &dir.entries {
        if e.flags & FLAG_DATA_DESCRIPTOR != 0 {
            descriptors.push(e.name.clone());
        }
        if !matches!(e.method, METHOD_STORED | METHOD_DEFLATED) {
            methods.push(e.name.clone());
        }
        if e.flags & FLAG_ENCRYPTED != 0 {
            encrypted.push(e.name.clone());
        }
        if e.comment_len > 0 {
            comments.push(e.name.clone());
        }
        if !seen.insert(e.name_raw.as_slice()) {
            problems.push(Problem::in_member(
                ProblemCode::DuplicateName,
                e.name.clone(),
                "appears more than once in the archive",
            ));
        }
        if let Some(why) = unsafe_path(&e.name) {
            problems.push(Problem::in_member(ProblemCode::UnsafePath, e.name.clone(), why));
        } else if !e.name_is_utf8 {
            problems.push(Problem::in_member(
                ProblemCode::UnsafePath,
                e.name.clone(),
                "name is not valid UTF-8",
            ));
        }
        if !within_bounds(e, dir.cd_offset.min(len)) {
            problems.push(Problem::in_member(
                ProblemCode::EntryOutOfBounds,
                e.name.clone(),
                format!(
                    "its data (offset {}, {} bytes) runs past the central directory at {}",
                    e.local_offset, e.compressed_size, dir.cd_offset
                ),
            ));
        }
    }
    problems.extend(grouped(
        ProblemCode::DataDescriptor,
        &descriptors,
        "uses a data descriptor (general-purpose flag bit 3), which PyPI refuses",
    ));
    problems.extend(grouped(
        ProblemCode::CompressionMethod,
        &methods,
        "uses a compression method other than STORED or DEFLATED",
    ));
    problems.extend(grouped(ProblemCode::Encrypted, &encrypted, "is encrypted"));
    problems.extend(grouped(
        ProblemCode::ArchiveComment,
        &comments,
        "has an entry comment (PyPI refuses comments)",
    ));
    problems
}

struct StreamResult {
    sha256: String,
    results: Vec<Option<Inflated>>,
    problems: Vec<Problem>,
}

/// The sequential pass over the whole file.
fn stream_pass(
    source: &dyn Source,
    dir: &CentralDirectory,
    plans: &[Plan],
) -> io::Result<StreamResult> {
    let entries = &dir.entries;
    let mut results: Vec<Option<Inflated>> = entries.iter().map(|_| None).collect();
    let mut problems = Vec::new();
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by_key(|&i| entries[i].local_offset);
    let mut r = BufReader::with_capacity(READ_BUFFER, HashingReader::new(source.open()?));
    let mut buf = vec![0u8; READ_BUFFER];
    let mut pos = 0u64;
    // Bytes a data descriptor may occupy after the previous member (12 to 24).
    let mut descriptor_room = 0u64;
    let mut hidden = Vec::new();
    let mut truncated = false;
    for &i in &order {
        let e = &entries[i];
        if e.local_offset < pos {
            problems.push(Problem::in_member(
                ProblemCode::OverlappingEntries,
                e.name.clone(),
                format!(
                    "starts at offset {}, inside the previous member (which ends at {pos})",
                    e.local_offset
                ),
            ));
            continue;
        }
        if e.local_offset >= dir.cd_offset {
            continue; // reported as out of bounds
        }
        let gap = e.local_offset - pos;
        if gap > 0 {
            if skip(&mut r, gap)? < gap {
                truncated = true;
                break;
            }
            if gap > descriptor_room {
                hidden.push(format!("{gap} bytes before {}", e.name));
            }
            pos += gap;
        }
        let header = match zip_dir::read_local_header(&mut r) {
            Ok(Ok(h)) => h,
            Ok(Err(msg)) => {
                problems.push(Problem::in_member(
                    ProblemCode::LocalHeaderMismatch,
                    e.name.clone(),
                    msg,
                ));
                pos += 30;
                descriptor_room = u64::MAX;
                continue;
            }
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                truncated = true;
                break;
            }
            Err(e) => return Err(e),
        };
        if let Some(field) = header.mismatch(e) {
            problems.push(Problem::in_member(
                ProblemCode::LocalHeaderMismatch,
                e.name.clone(),
                format!("local file header disagrees with the central directory: {field}"),
            ));
        }
        pos += header.header_len;
        if pos.saturating_add(e.compressed_size) > dir.cd_offset {
            continue; // reported as out of bounds; later entries are checked for overlap
        }
        let mut data = (&mut r).take(e.compressed_size);
        if plans[i].inflate && !plans[i].parallel {
            results[i] = Some(inflate(&mut data, e, plans[i], &mut buf));
        }
        io::copy(&mut data, &mut io::sink())?;
        if data.limit() > 0 {
            truncated = true;
            break;
        }
        pos += e.compressed_size;
        descriptor_room = if e.flags & FLAG_DATA_DESCRIPTOR != 0 { 24 } else { 0 };
    }
    if !truncated && pos < dir.cd_offset {
        let gap = dir.cd_offset - pos;
        if gap > descriptor_room {
            hidden.push(format!("{gap} bytes before the central directory"));
        }
    }
    if truncated {
        problems.push(Problem::new(ProblemCode::Truncated, "the file ends inside a member's data"));
    }
    if !hidden.is_empty() {
        problems.push(Problem::new(
            ProblemCode::HiddenData,
            format!("bytes that belong to no member: {}", hidden.join(", ")),
        ));
    }
    let (sha256, _) = r.into_inner().finish()?;
    Ok(StreamResult { sha256, results, problems })
}

/// Reads and discards `n` bytes; returns how many there were.
fn skip<R: Read>(r: &mut R, n: u64) -> io::Result<u64> {
    io::copy(&mut r.take(n), &mut io::sink())
}

fn find_dist_info(
    entries: &[CdEntry],
    wheel: Option<&WheelName>,
    problems: &mut Vec<Problem>,
) -> Option<String> {
    let dirs: BTreeSet<&str> = entries
        .iter()
        .filter_map(|e| e.name.split_once('/').map(|(top, _)| top))
        .filter(|top| top.ends_with(".dist-info"))
        .collect();
    let dirs: Vec<&str> = dirs.into_iter().collect();
    match dirs.as_slice() {
        [] => {
            problems.push(Problem::new(ProblemCode::DistInfo, "has no .dist-info directory"));
            None
        }
        [one] => {
            let one = (*one).to_owned();
            if let Some(w) = wheel {
                let stem = one.trim_end_matches(".dist-info");
                let matches = stem.rsplit_once('-').is_some_and(|(name, version)| {
                    normalize_name(name) == w.normalized_name() && same_version(version, &w.version)
                });
                if !matches {
                    problems.push(Problem::new(
                        ProblemCode::DistInfo,
                        format!(
                            "{one} does not match the filename's {}-{}",
                            w.distribution, w.version
                        ),
                    ));
                }
            }
            Some(one)
        }
        many => {
            problems.push(Problem::new(
                ProblemCode::DistInfo,
                format!("has {} .dist-info directories: {}", many.len(), many.join(", ")),
            ));
            // Prefer the one named after the filename, so the rest of the checks still run.
            wheel.and_then(|w| {
                many.iter()
                    .find(|d| {
                        d.trim_end_matches(".dist-info")
                            .rsplit_once('-')
                            .is_some_and(|(n, _)| normalize_name(n) == w.normalized_name())
                    })
                    .map(|d| (*d).to_owned())
            })
        }
    }
}

fn parse_record_member(
    name: &str,
    bytes: Option<&[u8]>,
    problems: &mut Vec<Problem>,
) -> Option<HashMap<String, RecordEntry>> {
    let text = match std::str::from_utf8(bytes.unwrap_or_default()) {
        Ok(t) => t,
        Err(_) => {
            problems.push(Problem::in_member(ProblemCode::RecordInvalid, name, "is not UTF-8"));
            return None;
        }
    };
    let rows = match parse_record(text) {
        Ok(rows) => rows,
        Err(e) => {
            problems.push(Problem::in_member(ProblemCode::RecordInvalid, name, e.to_string()));
            return None;
        }
    };
    let mut map: HashMap<String, RecordEntry> = HashMap::with_capacity(rows.len());
    for row in rows {
        if let Some(first) = map.get(&row.path) {
            // The same row twice is untidy (pip and PyPI take it); two different hashes or
            // sizes for one path leave the content unproven.
            let same = first.hash == row.hash && first.size == row.size;
            let problem = Problem::in_member(
                ProblemCode::RecordInvalid,
                name,
                if same {
                    format!("line {}: {} is listed twice (same hash and size)", row.line, row.path)
                } else {
                    format!(
                        "line {}: {} is listed twice with a different hash or size (first on line {})",
                        row.line, row.path, first.line
                    )
                },
            );
            problems.push(if same { problem.as_warning() } else { problem });
            continue;
        }
        map.insert(row.path.clone(), row);
    }
    Some(map)
}

/// CRC, size and inflate errors.
fn content_problems(
    entries: &[CdEntry],
    results: &[Option<Inflated>],
    problems: &mut Vec<Problem>,
) {
    for (e, r) in entries.iter().zip(results) {
        let Some(r) = r else { continue };
        let name = e.name.clone();
        if let Some(err) = &r.error {
            problems.push(Problem::in_member(
                ProblemCode::CorruptMember,
                name,
                format!("cannot be inflated: {err}"),
            ));
        } else if r.overflow {
            problems.push(Problem::in_member(
                ProblemCode::SizeMismatch,
                name,
                format!(
                    "inflates to more than the {} bytes the directory declares",
                    e.uncompressed_size
                ),
            ));
        } else if r.size != e.uncompressed_size {
            problems.push(Problem::in_member(
                ProblemCode::SizeMismatch,
                name,
                format!(
                    "inflates to {} bytes; the directory declares {}",
                    r.size, e.uncompressed_size
                ),
            ));
        } else if r.crc32 != e.crc32 {
            problems.push(Problem::in_member(
                ProblemCode::CrcMismatch,
                name,
                format!(
                    "CRC-32 of the content is {:08x}; the archive says {:08x}",
                    r.crc32, e.crc32
                ),
            ));
        }
    }
}

/// Every member listed with a matching hash and size; every listed path present.
fn record_problems(
    entries: &[CdEntry],
    results: &[Option<Inflated>],
    rows: &HashMap<String, RecordEntry>,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut unlisted = Vec::new();
    let mut listed: HashSet<&str> = HashSet::new();
    for (e, r) in entries.iter().zip(results) {
        let row = rows.get(&e.name);
        if row.is_some() {
            listed.insert(e.name.as_str());
        }
        if e.is_dir() {
            continue;
        }
        if is_record_or_signature(&e.name) {
            continue;
        }
        let Some(row) = row else {
            unlisted.push(e.name.clone());
            continue;
        };
        let Some(r) = r.as_ref().filter(|r| r.content_ok(e)) else { continue };
        let name = e.name.clone();
        match &row.hash {
            RecordHash::None => problems.push(Problem::in_member(
                ProblemCode::RecordMissingHash,
                name.clone(),
                format!("RECORD line {} has no hash", row.line),
            )),
            RecordHash::Unsupported(algo) => problems.push(Problem::in_member(
                ProblemCode::RecordWeakHash,
                name.clone(),
                format!("RECORD line {} uses {algo}; sha256 or stronger is required", row.line),
            )),
            RecordHash::Malformed(text) => problems.push(Problem::in_member(
                ProblemCode::RecordInvalid,
                name.clone(),
                format!("RECORD line {} has a malformed hash {text:?}", row.line),
            )),
            RecordHash::Digest { algorithm, digest } => {
                if r.digest.as_deref() != Some(digest.as_slice()) {
                    let actual =
                        r.digest.as_deref().map(|d| encode_hash(*algorithm, d)).unwrap_or_default();
                    problems.push(Problem::in_member(
                        ProblemCode::RecordHashMismatch,
                        name.clone(),
                        format!(
                            "content is {actual}; RECORD says {}",
                            encode_hash(*algorithm, digest)
                        ),
                    ));
                }
            }
        }
        match &row.size {
            Some(Ok(size)) if *size != r.size => problems.push(Problem::in_member(
                ProblemCode::RecordSizeMismatch,
                name,
                format!("content is {} bytes; RECORD says {size}", r.size),
            )),
            Some(Err(text)) => problems.push(Problem::in_member(
                ProblemCode::RecordInvalid,
                name,
                format!("RECORD line {} has a size that is not a number: {text:?}", row.line),
            )),
            _ => {}
        }
    }
    problems.extend(grouped(
        ProblemCode::UnlistedFile,
        &unlisted,
        "is in the archive but not listed in RECORD",
    ));
    // A row for a directory (`pkg/`) names no content: some writers list them, zips need not
    // hold them, and pip ignores them.
    let mut missing: Vec<&RecordEntry> = rows
        .values()
        .filter(|row| !listed.contains(row.path.as_str()) && !row.path.ends_with('/'))
        .collect();
    missing.sort_by_key(|row| row.line);
    let missing: Vec<String> = missing.iter().map(|row| row.path.clone()).collect();
    problems.extend(grouped(
        ProblemCode::MissingFile,
        &missing,
        "is listed in RECORD but not in the archive",
    ));
    problems
}

fn metadata_problems(
    member: &str,
    bytes: &[u8],
    wheel: &WheelName,
    problems: &mut Vec<Problem>,
) -> Option<Metadata> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        problems.push(Problem::in_member(ProblemCode::MetadataInvalid, member, "is not UTF-8"));
        return None;
    };
    let meta = parse_metadata(text);
    core_metadata_problems(
        &meta,
        member,
        &wheel.normalized_name(),
        &wheel.distribution,
        &wheel.version,
        problems,
    );
    Some(meta)
}

fn wheel_file_problems(member: &str, bytes: &[u8], wheel: &WheelName, problems: &mut Vec<Problem>) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        problems.push(Problem::in_member(ProblemCode::WheelFileInvalid, member, "is not UTF-8"));
        return;
    };
    let meta = parse_metadata(text);
    match meta.get("Wheel-Version").and_then(|v| v.split('.').next()).map(str::trim) {
        Some("1") => {}
        Some(_) => problems.push(Problem::in_member(
            ProblemCode::WheelFileInvalid,
            member,
            format!("Wheel-Version {} is not 1.x", meta.get("Wheel-Version").unwrap_or_default()),
        )),
        None => problems.push(Problem::in_member(
            ProblemCode::WheelFileInvalid,
            member,
            "has no Wheel-Version",
        )),
    }
    // Both sides expanded: a `Tag:` line may carry a compressed set as the filename does.
    let declared: BTreeSet<String> = meta
        .get_all("Tag")
        .iter()
        .flat_map(|t| match expand_tag_set(t) {
            Some(tags) => tags.iter().map(ToString::to_string).collect(),
            None => vec![(*t).to_owned()],
        })
        .collect();
    let named: BTreeSet<String> = wheel.tags().iter().map(ToString::to_string).collect();
    if declared != named {
        let missing: Vec<&str> = named.difference(&declared).map(String::as_str).collect();
        let extra: Vec<&str> = declared.difference(&named).map(String::as_str).collect();
        let mut parts = Vec::new();
        if !missing.is_empty() {
            parts.push(format!("no Tag line for {}", missing.join(", ")));
        }
        if !extra.is_empty() {
            parts.push(format!("Tag lines not in the filename: {}", extra.join(", ")));
        }
        problems.push(Problem::in_member(
            ProblemCode::TagMismatch,
            member,
            format!("{} (pip installs by the filename's tags)", parts.join("; ")),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::inspect::{InspectOptions, inspect_bytes};
    use crate::model::problem::ProblemCode;
    use crate::model::record::{HashAlgorithm, encode_hash};
    use sha2::{Digest, Sha256};
    use std::io::{Cursor, Write};
    use zip::write::SimpleFileOptions;

    const NAME: &str = "pkg-1.0-py3-none-any.whl";

    /// A minimal, valid wheel with STORED members (so byte offsets are easy to find).
    fn wheel(extra: &[(&str, &[u8])]) -> Vec<u8> {
        let mut members: Vec<(String, Vec<u8>)> = vec![
            ("pkg/__init__.py".into(), b"print('hello')\n".to_vec()),
            (
                "pkg-1.0.dist-info/METADATA".into(),
                b"Metadata-Version: 2.4\nName: pkg\nVersion: 1.0\n".to_vec(),
            ),
            (
                "pkg-1.0.dist-info/WHEEL".into(),
                b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n".to_vec(),
            ),
        ];
        members.extend(extra.iter().map(|(n, d)| ((*n).to_owned(), d.to_vec())));
        let mut record = String::new();
        for (n, d) in &members {
            record.push_str(&format!(
                "{n},{},{}\n",
                encode_hash(HashAlgorithm::Sha256, &Sha256::digest(d)),
                d.len()
            ));
        }
        record.push_str("pkg-1.0.dist-info/RECORD,,\n");
        members.push(("pkg-1.0.dist-info/RECORD".into(), record.into_bytes()));
        let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        for (n, d) in &members {
            z.start_file(n.as_str(), opts).unwrap();
            z.write_all(d).unwrap();
        }
        z.finish().unwrap().into_inner()
    }

    fn codes(bytes: &[u8]) -> Vec<ProblemCode> {
        inspect_bytes(NAME, bytes, &InspectOptions::default())
            .problems
            .iter()
            .map(|p| p.code)
            .collect()
    }

    fn find(hay: &[u8], needle: &[u8]) -> usize {
        hay.windows(needle.len()).position(|w| w == needle).unwrap()
    }

    #[test]
    fn a_minimal_wheel_passes() {
        let r = inspect_bytes(NAME, &wheel(&[]), &InspectOptions::default());
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert_eq!(r.members, 4);
        assert_eq!(r.sha256.len(), 64);
    }

    #[test]
    fn parallel_members_are_checked_like_the_others() {
        let big = vec![7u8; 300_000];
        let opts = InspectOptions { parallel_member_size: 1000, ..InspectOptions::default() };
        let bytes = wheel(&[("pkg/big.bin", &big)]);
        assert!(inspect_bytes(NAME, &bytes, &opts).problems.is_empty());
        let mut bad = bytes.clone();
        let at = find(&bad, &big[..64]) + 1000;
        bad[at] = 8;
        let r = inspect_bytes(NAME, &bad, &opts);
        assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
        assert_eq!(r.problems[0].code, ProblemCode::CrcMismatch);
        assert_eq!(r.problems[0].member.as_deref(), Some("pkg/big.bin"));
    }

    #[test]
    fn metadata_is_read_even_when_the_filename_is_bad() {
        let r = inspect_bytes(
            "pkg-1.0-py3-none-any-extra-part.whl",
            &wheel(&[]),
            &InspectOptions::default(),
        );
        let codes: Vec<ProblemCode> = r.problems.iter().map(|p| p.code).collect();
        assert_eq!(codes, [ProblemCode::Filename]);
        assert_eq!(r.metadata.unwrap().get("Name"), Some("pkg"));
    }

    #[test]
    fn a_local_header_that_disagrees_with_the_directory() {
        let mut bytes = wheel(&[]);
        // The first local header's CRC-32 field is at offset 14.
        bytes[14] ^= 0xFF;
        assert_eq!(codes(&bytes), [ProblemCode::LocalHeaderMismatch]);
    }

    #[test]
    fn duplicate_names_and_unsafe_paths() {
        let bytes = wheel(&[("/etc/passwd", b"x"), ("a\\b.py", b"y")]);
        assert_eq!(codes(&bytes), [ProblemCode::UnsafePath, ProblemCode::UnsafePath]);
        // Rename the second member to the first one's name (same length) in both records.
        let mut dup = wheel(&[("pkg/__init__.pz", b"z")]);
        while let Some(at) = dup.windows(15).position(|w| w == b"pkg/__init__.pz") {
            dup[at + 14] = b'y';
        }
        let found = codes(&dup);
        assert!(found.contains(&ProblemCode::DuplicateName), "{found:?}");
    }

    #[test]
    fn entries_outside_the_archive_and_hidden_bytes() {
        let bytes = wheel(&[]);
        // Point the first central-directory record's local offset past the directory.
        let cd = find(&bytes, &[0x50, 0x4b, 0x01, 0x02]);
        let mut out = bytes.clone();
        out[cd + 42..cd + 46].copy_from_slice(&(bytes.len() as u32).to_le_bytes());
        let found = codes(&out);
        assert!(found.contains(&ProblemCode::EntryOutOfBounds), "{found:?}");
        assert!(found.contains(&ProblemCode::HiddenData), "{found:?}");
    }
}
