//! Image references: `[host[:port]/]name[:tag][@digest]`, parsed and normalised the way Docker
//! and the distribution spec do.
//!
//! - The first path component is a registry host when it contains `.` or `:`, or is
//!   `localhost`; otherwise the image lives on Docker Hub (`docker.io`, API host
//!   `registry-1.docker.io`) and a one-component name gets `library/`.
//! - Hosts are case-insensitive and lowercased; repository names must be lowercase in the spec,
//!   so a name typed with capitals (GitHub owners often have them) is lowercased and noted.
//! - Tags keep their case and must match `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`.

use super::oci::Digest;
use std::fmt;

/// Where Docker Hub images are written in references.
pub const DOCKER_HUB: &str = "docker.io";
/// Where Docker Hub's registry API answers.
pub const DOCKER_HUB_API: &str = "registry-1.docker.io";

/// A parsed, normalised image reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// The registry as written in references: `ghcr.io`, `localhost:5000`, `docker.io`.
    pub registry: String,
    /// The repository path, lowercase: `owner/name`, `library/alpine`.
    pub repository: String,
    /// The tag, when one was given (or `latest` when neither tag nor digest was).
    pub tag: Option<String>,
    /// The digest, when the reference pins one.
    pub digest: Option<Digest>,
    /// Whether the name had capitals that were lowercased.
    pub lowercased: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageRefError {
    #[error("the image reference is empty")]
    Empty,
    #[error("{input:?} is not an image reference: {reason}")]
    Invalid { input: String, reason: String },
}

impl ImageRef {
    /// Parses `[host[:port]/]name[:tag][@digest]`.
    pub fn parse(input: &str) -> Result<Self, ImageRefError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(ImageRefError::Empty);
        }
        // Never echo credentials someone put in the reference.
        let invalid = |reason: &str| ImageRefError::Invalid {
            input: crate::secret::redact_userinfo(input),
            reason: reason.into(),
        };
        if crate::secret::has_userinfo(trimmed) {
            return Err(invalid(
                "it carries credentials (user:password@): pass them with --username and --password (or SURESTEP_REGISTRY_PASSWORD)",
            ));
        }
        if trimmed.contains("://") {
            return Err(invalid("leave out the scheme (write `ghcr.io/owner/name:tag`)"));
        }
        if trimmed.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid("it contains whitespace"));
        }

        let (rest, digest) = match trimmed.split_once('@') {
            Some((rest, digest)) => {
                let digest = Digest::parse(digest).map_err(|e| invalid(&e.to_string()))?;
                (rest, Some(digest))
            }
            None => (trimmed, None),
        };

        // A tag is after the last ':' that follows the last '/'.
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (path, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
            None => (rest, None),
        };
        if let Some(tag) = tag {
            validate_tag(tag).map_err(|r| invalid(&r))?;
        }

        let (registry, name) = match path.split_once('/') {
            Some((first, name)) if is_host(first) => (normalise_host(first, &invalid)?, name),
            _ => (DOCKER_HUB.to_owned(), path),
        };
        let registry = match registry.as_str() {
            "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com" => {
                DOCKER_HUB.to_owned()
            }
            _ => registry,
        };
        if name.is_empty() {
            return Err(invalid("the repository name is missing"));
        }
        let lower = name.to_ascii_lowercase();
        let lowercased = lower != name;
        let repository = if registry == DOCKER_HUB && !lower.contains('/') {
            format!("library/{lower}")
        } else {
            lower
        };
        validate_name(&repository).map_err(|r| invalid(&r))?;

        let tag = match (tag, &digest) {
            (Some(t), _) => Some(t.to_owned()),
            (None, Some(_)) => None,
            (None, None) => Some("latest".to_owned()),
        };
        Ok(Self { registry, repository, tag, digest, lowercased })
    }

    /// The host the registry API answers on (`registry-1.docker.io` for Docker Hub).
    pub fn api_host(&self) -> &str {
        if self.registry == DOCKER_HUB { DOCKER_HUB_API } else { &self.registry }
    }

    /// The host name without port or brackets, for loopback and GHCR decisions.
    pub fn host_name(&self) -> &str {
        let host = self.api_host();
        if let Some(rest) = host.strip_prefix('[') {
            return rest.split(']').next().unwrap_or(rest);
        }
        host.split(':').next().unwrap_or(host)
    }

    /// What to ask the manifest endpoint for: the digest when pinned, else the tag.
    pub fn reference(&self) -> String {
        match (&self.digest, &self.tag) {
            (Some(d), _) => d.to_string(),
            (None, Some(t)) => t.clone(),
            (None, None) => "latest".to_owned(),
        }
    }

    /// `registry/repository`, the name a pinned reference starts with.
    pub fn name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// `registry/repository@digest`: the reference a deploy should use instead of the tag.
    pub fn pinned(&self, digest: &Digest) -> String {
        format!("{}@{digest}", self.name())
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name())?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

fn is_host(component: &str) -> bool {
    component.contains('.')
        || component.contains(':')
        || component == "localhost"
        || component.starts_with('[')
}

fn normalise_host(
    host: &str,
    invalid: &dyn Fn(&str) -> ImageRefError,
) -> Result<String, ImageRefError> {
    let (name, port) = if let Some(rest) = host.strip_prefix('[') {
        let (addr, after) = rest.split_once(']').ok_or_else(|| invalid("unclosed '[' in host"))?;
        if addr.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(invalid("the bracketed host is not an IPv6 address"));
        }
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':').ok_or_else(|| invalid("junk after ']' in host"))?),
        };
        (format!("[{addr}]"), port)
    } else {
        match host.split_once(':') {
            Some((name, port)) => (name.to_owned(), Some(port)),
            None => (host.to_owned(), None),
        }
    };
    if !name.starts_with('[') {
        let ok = !name.is_empty()
            && name.split('.').all(|label| {
                !label.is_empty()
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    && !label.starts_with('-')
                    && !label.ends_with('-')
            });
        if !ok {
            return Err(invalid("the registry host is not a valid host name"));
        }
    }
    let mut out = name.to_ascii_lowercase();
    if let Some(port) = port {
        if port.parse::<u16>().map_or(true, |p| p == 0) {
            return Err(invalid("the registry port is not a number from 1 to 65535"));
        }
        out.push(':');
        out.push_str(port);
    }
    Ok(out)
}

/// `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`.
fn validate_tag(tag: &str) -> Result<(), String> {
    let mut chars = tag.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if tag.is_empty() {
        Err("the tag after ':' is empty".into())
    } else if tag.len() > 128 {
        Err("the tag is longer than 128 characters".into())
    } else if !first_ok || !rest_ok {
        Err(format!("the tag {tag:?} may only hold letters, digits, '_', '.' and '-' (not first)"))
    } else {
        Ok(())
    }
}

/// Path components `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*` joined by `/`.
fn validate_name(name: &str) -> Result<(), String> {
    if name.len() > 255 {
        return Err("the repository name is longer than 255 characters".into());
    }
    for component in name.split('/') {
        if !valid_component(component) {
            return Err(format!(
                "the repository path component {component:?} must be lowercase letters and \
                 digits, separated by '.', '_', '__' or dashes"
            ));
        }
    }
    Ok(())
}

fn valid_component(c: &str) -> bool {
    let bytes = c.as_bytes();
    if bytes.is_empty() {
        return false;
    }
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        if alnum(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !alnum(bytes[i]) {
            i += 1;
        }
        let sep = &c[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|b| b == b'-');
        if !ok {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:6af5a80256547b8c7183497f4536818247cf8c6e71386828e07c07bb816f12e6";

    fn p(s: &str) -> ImageRef {
        ImageRef::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn ghcr_with_tag() {
        let r = p("ghcr.io/owner/name:v1.2.3");
        assert_eq!(r.registry, "ghcr.io");
        assert_eq!(r.repository, "owner/name");
        assert_eq!(r.tag.as_deref(), Some("v1.2.3"));
        assert_eq!(r.reference(), "v1.2.3");
        assert_eq!(r.api_host(), "ghcr.io");
        assert_eq!(r.to_string(), "ghcr.io/owner/name:v1.2.3");
    }

    #[test]
    fn host_port_and_digest() {
        let r = p(&format!("localhost:5000/o/n@{D}"));
        assert_eq!(r.registry, "localhost:5000");
        assert_eq!(r.host_name(), "localhost");
        assert_eq!(r.tag, None);
        assert_eq!(r.reference(), D);
        let r = p(&format!("127.0.0.1:5000/o/n:v1@{D}"));
        assert_eq!(r.tag.as_deref(), Some("v1"));
        assert_eq!(r.reference(), D, "the digest wins over the tag");
        assert_eq!(r.pinned(r.digest.as_ref().unwrap()), format!("127.0.0.1:5000/o/n@{D}"));
    }

    #[test]
    fn ipv6_host() {
        let r = p("[::1]:5000/o/n:t");
        assert_eq!(r.registry, "[::1]:5000");
        assert_eq!(r.host_name(), "::1");
        assert!(ImageRef::parse("[nothost]:5000/o/n").is_err());
    }

    #[test]
    fn docker_hub_short_names() {
        let r = p("alpine");
        assert_eq!(r.registry, "docker.io");
        assert_eq!(r.repository, "library/alpine");
        assert_eq!(r.tag.as_deref(), Some("latest"));
        assert_eq!(r.api_host(), "registry-1.docker.io");
        assert_eq!(p("alpine:3.20").repository, "library/alpine");
        assert_eq!(p("grafana/grafana:11").repository, "grafana/grafana");
        assert_eq!(p("docker.io/alpine").repository, "library/alpine");
        assert_eq!(p("index.docker.io/library/alpine").registry, "docker.io");
        assert_eq!(p("localhost/app").registry, "localhost");
    }

    #[test]
    fn lowercases_names_but_not_tags() {
        let r = p("GHCR.io/MyOrg/My-App:RC1");
        assert_eq!(r.registry, "ghcr.io");
        assert_eq!(r.repository, "myorg/my-app");
        assert_eq!(r.tag.as_deref(), Some("RC1"));
        assert!(r.lowercased);
        assert!(!p("ghcr.io/o/n").lowercased);
    }

    #[test]
    fn rejects_bad_references() {
        for bad in [
            "",
            "https://ghcr.io/o/n",
            "ghcr.io/o/n:",
            "ghcr.io/o/n:-bad",
            "ghcr.io/o/n:a/b",
            "ghcr.io/o//n",
            "ghcr.io/o/n_-x",
            "ghcr.io/o/-n",
            "ghcr.io/o/n@sha256:abc",
            "ghcr.io/o/n@md5:0123",
            "ghcr.io:99999/o/n",
            "ghcr.io:/o/n",
            "gh_cr.io/o/n",
            "ghcr.io/o n",
            "ghcr.io/",
        ] {
            assert!(ImageRef::parse(bad).is_err(), "{bad:?} should be rejected");
        }
        let long_tag = format!("ghcr.io/o/n:{}", "a".repeat(129));
        assert!(ImageRef::parse(&long_tag).is_err());
    }

    #[test]
    fn accepts_spec_separators() {
        for ok in ["o/a.b", "o/a_b", "o/a__b", "o/a---b", "a0/b1/c2"] {
            assert!(ImageRef::parse(&format!("reg.io/{ok}")).is_ok(), "{ok}");
        }
        assert!(ImageRef::parse("reg.io/o/a___b").is_err());
        assert!(ImageRef::parse("reg.io/o/a._b").is_err());
    }

    proptest::proptest! {
        #[test]
        fn parsing_never_panics_and_display_round_trips(input in ".{0,80}") {
            if let Ok(r) = ImageRef::parse(&input) {
                let again = ImageRef::parse(&r.to_string()).unwrap();
                proptest::prop_assert_eq!(&again.registry, &r.registry);
                proptest::prop_assert_eq!(&again.repository, &r.repository);
                proptest::prop_assert_eq!(&again.tag, &r.tag);
                proptest::prop_assert_eq!(&again.digest, &r.digest);
            }
        }

        #[test]
        fn well_formed_references_parse(
            host in "[a-z]([a-z0-9-]{0,8}[a-z0-9])?\\.[a-z]{2,5}(:[1-9][0-9]{0,3})?",
            path in "[a-z0-9]{1,8}(/[a-z0-9]{1,8}){0,2}",
            tag in "[A-Za-z0-9_][A-Za-z0-9._-]{0,20}",
        ) {
            let r = ImageRef::parse(&format!("{host}/{path}:{tag}")).unwrap();
            proptest::prop_assert_eq!(r.registry, host);
            proptest::prop_assert_eq!(r.repository, path);
            proptest::prop_assert_eq!(r.tag, Some(tag));
        }
    }
}
