//! The version a project file declares: `Cargo.toml`, `pyproject.toml` or `package.json`.

/// Which kind of version file, chosen by its file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionFileKind {
    Cargo,
    Pyproject,
    PackageJson,
}

impl VersionFileKind {
    pub fn from_file_name(name: &str) -> Option<Self> {
        match name {
            "Cargo.toml" => Some(Self::Cargo),
            "pyproject.toml" => Some(Self::Pyproject),
            "package.json" => Some(Self::PackageJson),
            _ => None,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VersionFileError {
    #[error("not valid {kind}: {message}")]
    Syntax { kind: &'static str, message: String },
    #[error("declares no version ({looked})")]
    NoVersion { looked: &'static str },
    #[error("declares its version as dynamic; compare against the built artifacts instead")]
    Dynamic,
    /// `version.workspace = true` in a workspace member: the version is the workspace root's
    /// `[workspace.package] version`; `workspace` is `package.workspace` (the root's directory,
    /// relative to the member) when the member names it.
    #[error("inherits its version from the workspace root (version.workspace = true)")]
    Inherited { workspace: Option<String> },
}

/// Reads the declared version from the text of a version file.
pub fn declared_version(kind: VersionFileKind, text: &str) -> Result<String, VersionFileError> {
    match kind {
        VersionFileKind::Cargo => {
            let doc: toml::Table = toml::from_str(text).map_err(|e| VersionFileError::Syntax {
                kind: "TOML",
                message: e.message().to_owned(),
            })?;
            let package = doc.get("package");
            let own_workspace = workspace_package_version(&doc);
            match package.and_then(|p| p.get("version")) {
                Some(toml::Value::String(v)) => Ok(v.clone()),
                // `version.workspace = true` inherits from [workspace.package]: this file's when
                // it is the root, else the root's (the caller reads it).
                Some(toml::Value::Table(t))
                    if t.get("workspace").and_then(toml::Value::as_bool) == Some(true) =>
                {
                    own_workspace.ok_or_else(|| VersionFileError::Inherited {
                        workspace: package
                            .and_then(|p| p.get("workspace"))
                            .and_then(|w| w.as_str())
                            .map(str::to_owned),
                    })
                }
                None => own_workspace.ok_or(VersionFileError::NoVersion {
                    looked: "[package] version, [workspace.package] version",
                }),
                Some(_) => Err(VersionFileError::NoVersion { looked: "[package] version" }),
            }
        }
        VersionFileKind::Pyproject => {
            let doc: toml::Table = toml::from_str(text).map_err(|e| VersionFileError::Syntax {
                kind: "TOML",
                message: e.message().to_owned(),
            })?;
            let project = doc.get("project");
            if let Some(v) = project.and_then(|p| p.get("version")).and_then(|v| v.as_str()) {
                return Ok(v.to_owned());
            }
            if let Some(v) = doc
                .get("tool")
                .and_then(|t| t.get("poetry"))
                .and_then(|p| p.get("version"))
                .and_then(|v| v.as_str())
            {
                return Ok(v.to_owned());
            }
            let dynamic = project
                .and_then(|p| p.get("dynamic"))
                .and_then(|d| d.as_array())
                .is_some_and(|d| d.iter().any(|x| x.as_str() == Some("version")));
            if dynamic {
                Err(VersionFileError::Dynamic)
            } else {
                Err(VersionFileError::NoVersion {
                    looked: "[project] version, [tool.poetry] version",
                })
            }
        }
        VersionFileKind::PackageJson => {
            let doc: serde_json::Value = serde_json::from_str(text)
                .map_err(|e| VersionFileError::Syntax { kind: "JSON", message: e.to_string() })?;
            doc.get("version")
                .and_then(|v| v.as_str())
                .map(str::to_owned)
                .ok_or(VersionFileError::NoVersion { looked: "\"version\"" })
        }
    }
}

fn workspace_package_version(doc: &toml::Table) -> Option<String> {
    doc.get("workspace")
        .and_then(|w| w.get("package"))
        .and_then(|p| p.get("version"))
        .and_then(|v| v.as_str())
        .map(str::to_owned)
}

/// The text of a Cargo.toml that is a workspace root (`[workspace]`), its
/// `[workspace.package] version` if it has one: `Ok(None)` when it is no workspace root.
pub fn workspace_root_version(text: &str) -> Result<Option<String>, VersionFileError> {
    let doc: toml::Table = toml::from_str(text)
        .map_err(|e| VersionFileError::Syntax { kind: "TOML", message: e.message().to_owned() })?;
    if doc.get("workspace").is_none() {
        return Ok(None);
    }
    workspace_package_version(&doc)
        .map(Some)
        .ok_or(VersionFileError::NoVersion { looked: "[workspace.package] version" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_kind() {
        let cargo = "[package]\nname = \"x\"\nversion = \"1.2.3\"\n";
        assert_eq!(declared_version(VersionFileKind::Cargo, cargo).unwrap(), "1.2.3");
        let ws = "[package]\nversion.workspace = true\n[workspace.package]\nversion = \"2.0.0\"\n";
        assert_eq!(declared_version(VersionFileKind::Cargo, ws).unwrap(), "2.0.0");
        let member = "[package]\nname = \"m\"\nversion.workspace = true\n";
        assert_eq!(
            declared_version(VersionFileKind::Cargo, member),
            Err(VersionFileError::Inherited { workspace: None })
        );
        let named = "[package]\nworkspace = \"../..\"\nversion = { workspace = true }\n";
        assert_eq!(
            declared_version(VersionFileKind::Cargo, named),
            Err(VersionFileError::Inherited { workspace: Some("../..".into()) })
        );
        let root = "[workspace]\nmembers = [\"m\"]\n[workspace.package]\nversion = \"3.1.0\"\n";
        assert_eq!(workspace_root_version(root).unwrap().as_deref(), Some("3.1.0"));
        assert_eq!(workspace_root_version(cargo).unwrap(), None);
        let py = "[project]\nname = \"x\"\nversion = \"1.2.3rc1\"\n";
        assert_eq!(declared_version(VersionFileKind::Pyproject, py).unwrap(), "1.2.3rc1");
        let poetry = "[tool.poetry]\nversion = \"0.3.0\"\n";
        assert_eq!(declared_version(VersionFileKind::Pyproject, poetry).unwrap(), "0.3.0");
        let js = r#"{"name":"x","version":"4.5.6"}"#;
        assert_eq!(declared_version(VersionFileKind::PackageJson, js).unwrap(), "4.5.6");
    }

    #[test]
    fn explains_what_is_missing() {
        let dynamic = "[project]\nname = \"x\"\ndynamic = [\"version\"]\n";
        assert_eq!(
            declared_version(VersionFileKind::Pyproject, dynamic),
            Err(VersionFileError::Dynamic)
        );
        assert!(matches!(
            declared_version(VersionFileKind::Cargo, "[package]\nname='x'\n"),
            Err(VersionFileError::NoVersion { .. })
        ));
        assert!(matches!(
            declared_version(VersionFileKind::PackageJson, "{"),
            Err(VersionFileError::Syntax { .. })
        ));
    }
}
