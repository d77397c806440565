import COpenSSL
import Foundation

/// A self-signed certificate for development: ECDSA P-256, valid for `localhost` and loopback.
public struct DevelopmentCertificate: Sendable {
    public let certificatePEM: String
    public let privateKeyPEM: String

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Generates a fresh key pair and certificate valid for `days` days.
    public static func generate(commonName: String = "localhost", days: Int = 825) throws -> DevelopmentCertificate {
        let key = try generateKey()
        defer { EVP_PKEY_free(key) }
        guard let certificate = X509_new() else { throw Failure(description: "cannot allocate a certificate") }
        defer { X509_free(certificate) }

        X509_set_version(certificate, 2)
        let serial = SecureRandom.bytes(16)
        let serialNumber = BN_bin2bn(serial, 16, nil)
        BN_clear_bit(serialNumber, 127)
        BN_to_ASN1_INTEGER(serialNumber, X509_get_serialNumber(certificate))
        BN_free(serialNumber)
        X509_gmtime_adj(X509_getm_notBefore(certificate), -3600)
        X509_gmtime_adj(X509_getm_notAfter(certificate), days * 86_400)
        X509_set_pubkey(certificate, key)
        let name = X509_get_subject_name(certificate)
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, commonName, -1, -1, 0)
        X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, "CallCoach development", -1, -1, 0)
        X509_set_issuer_name(certificate, name)
        try addExtension(certificate, NID_subject_alt_name, "DNS:\(commonName),DNS:localhost,IP:127.0.0.1,IP:::1")
        try addExtension(certificate, NID_basic_constraints, "critical,CA:FALSE")
        try addExtension(certificate, NID_key_usage, "critical,digitalSignature")
        try addExtension(certificate, NID_ext_key_usage, "serverAuth")
        guard X509_sign(certificate, key, EVP_sha256()) > 0 else {
            throw Failure(description: "cannot sign the certificate")
        }

        return DevelopmentCertificate(
            certificatePEM: try pem { PEM_write_bio_X509($0, certificate) },
            privateKeyPEM: try pem { PEM_write_bio_PrivateKey($0, key, nil, nil, 0, nil, nil) })
    }

    /// The SHA-256 fingerprint of the first certificate in `pem`, as colon-separated hex.
    public static func fingerprint(ofPEM pem: String) throws -> String {
        let bytes = Array(pem.utf8)
        // The memory BIO borrows the bytes, so it must not outlive this buffer.
        let digest: [UInt8]? = bytes.withUnsafeBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            guard let certificate = PEM_read_bio_X509(bio, nil, nil, nil) else { return nil }
            defer { X509_free(certificate) }
            var digest = [UInt8](repeating: 0, count: 32)
            var length: UInt32 = 0
            guard X509_digest(certificate, EVP_sha256(), &digest, &length) == 1, length == 32 else { return nil }
            return digest
        }
        guard let digest else { throw Failure(description: "the certificate is not valid PEM") }
        return Hex.encode(digest, separator: ":")
    }

    private static func generateKey() throws -> OpaquePointer {
        guard let context = EVP_PKEY_CTX_new_id(EVP_PKEY_EC, nil) else { throw Failure(description: "no EC support") }
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen_init(context) == 1,
            EVP_PKEY_CTX_set_ec_paramgen_curve_nid(context, NID_X9_62_prime256v1) == 1,
            EVP_PKEY_keygen(context, &key) == 1, let key
        else { throw Failure(description: "cannot generate a key") }
        return key
    }

    private static func addExtension(_ certificate: OpaquePointer, _ nid: Int32, _ value: String) throws {
        var context = X509V3_CTX()
        X509V3_set_ctx(&context, certificate, certificate, nil, nil, 0)
        guard let ext = X509V3_EXT_conf_nid(nil, &context, nid, value) else {
            throw Failure(description: "cannot build a certificate extension")
        }
        defer { X509_EXTENSION_free(ext) }
        X509_add_ext(certificate, ext, -1)
    }

    private static func pem(_ write: (OpaquePointer) -> Int32) throws -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { throw Failure(description: "out of memory") }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else { throw Failure(description: "cannot encode PEM") }
        var data: UnsafeMutablePointer<CChar>?
        let length = callcoach_bio_mem_data(bio, &data)
        guard let data, length > 0 else { throw Failure(description: "cannot encode PEM") }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    }
}
