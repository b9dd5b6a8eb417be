//! TLS for the one HTTP client: the platform's verifier (as reqwest would build it), with the
//! system's root certificates loaded at the first TLS handshake instead of at start-up.
//!
//! On Linux, loading the roots reads and parses every file of `/etc/ssl/certs` (about 300 on
//! Ubuntu): a few milliseconds that every run paid, also runs that only speak plain HTTP to a
//! loopback server, or fail before any request. The verification itself is unchanged:
//! `rustls-platform-verifier`, created once, on first use.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};
use std::sync::{Arc, OnceLock};

/// The client configuration reqwest would build (TLS 1.2 and 1.3, ALPN h2 then http/1.1,
/// the default provider), with the lazy verifier.
pub fn client_config() -> Result<ClientConfig, rustls::Error> {
    let provider = CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::aws_lc_rs::default_provider()));
    let verifier = Arc::new(LazyVerifier::new(provider.clone()));
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// `rustls_platform_verifier::Verifier`, made at the first certificate to verify. Handshake
/// signatures need no roots: they are checked with the provider's algorithms directly, as
/// the WebPKI verifier inside the platform one does.
#[derive(Debug)]
pub struct LazyVerifier {
    provider: Arc<CryptoProvider>,
    inner: OnceLock<Result<rustls_platform_verifier::Verifier, rustls::Error>>,
}

impl LazyVerifier {
    pub fn new(provider: Arc<CryptoProvider>) -> Self {
        Self { provider, inner: OnceLock::new() }
    }

    fn verifier(&self) -> Result<&rustls_platform_verifier::Verifier, rustls::Error> {
        self.inner
            .get_or_init(|| rustls_platform_verifier::Verifier::new(self.provider.clone()))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Whether the roots have been loaded (for tests).
    pub fn loaded(&self) -> bool {
        self.inner.get().is_some()
    }
}

impl ServerCertVerifier for LazyVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.verifier()?.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        )
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn building_the_config_loads_no_roots() {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let lazy = LazyVerifier::new(provider.clone());
        assert!(!lazy.loaded());
        // The schemes offered in the ClientHello come from the provider, not the roots.
        assert!(!lazy.supported_verify_schemes().is_empty());
        assert!(!lazy.loaded());
        let config = client_config().unwrap();
        assert_eq!(config.alpn_protocols, [b"h2".to_vec(), b"http/1.1".to_vec()]);
    }

    #[test]
    fn a_certificate_is_checked_against_the_system_roots() {
        // A self-signed certificate chains to no system root: refused, and only then are the
        // roots loaded.
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let lazy = LazyVerifier::new(provider);
        let der = CertificateDer::from(SELF_SIGNED.to_vec());
        let name = ServerName::try_from("example.invalid").unwrap();
        let verdict = lazy.verify_server_cert(&der, &[], &name, &[], UnixTime::now());
        assert!(verdict.is_err(), "{verdict:?}");
        assert!(lazy.loaded());
    }

    /// A throwaway self-signed certificate (not a secret: it has no key in this repository).
    const SELF_SIGNED: &[u8] = include_bytes!("../../tests/fixtures/tls/self-signed.der");
}
