//! Test certificates: a private CA and a leaf it signed (rcgen).

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};

/// A CA and a leaf certificate for `names`, as PEM: (ca, leaf cert, leaf key).
pub fn ca_and_leaf(ca_name: &str, names: &[&str]) -> (String, String, String) {
    let ca_key = KeyPair::generate().expect("key");
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("params");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(DnType::CommonName, ca_name);
    let ca_cert = ca.self_signed(&ca_key).expect("ca");
    let key = KeyPair::generate().expect("key");
    let leaf = CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        .expect("params")
        .signed_by(&key, &ca_cert, &ca_key)
        .expect("leaf");
    (ca_cert.pem(), leaf.pem(), key.serialize_pem())
}
