import Foundation

/// The proxies whose `X-Forwarded-For` is believed. The client address is the peer's, unless the
/// peer is a trusted proxy; then it is the rightmost forwarded entry that is not itself trusted.
public struct TrustedProxies: Sendable {
    public private(set) var networks: [IPNetwork]

    public init(_ networks: [IPNetwork] = []) {
        self.networks = networks
    }

    /// Parses a comma-separated list of addresses and CIDR blocks; `nil` if any entry is invalid.
    public init?(list: String) {
        var networks: [IPNetwork] = []
        for entry in list.split(separator: ",") {
            guard let network = IPNetwork(entry.trimmingCharacters(in: .whitespaces)) else { return nil }
            networks.append(network)
        }
        self.init(networks)
    }

    public func trusts(_ address: String) -> Bool {
        guard let parsed = IPNetwork.parse(address) else { return false }
        return networks.contains { $0.contains(parsed) }
    }

    /// The client's address for a connection from `peer` that sent these `X-Forwarded-For` values.
    public func clientAddress(peer: String?, forwardedFor: [String]) -> String? {
        guard let peer, trusts(peer) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        var client = peer
        for hop in hops.reversed() {
            // A malformed entry ends the walk: nothing to its left can be attributed to anyone.
            guard let address = IPNetwork.parse(hop) else { break }
            client = address.description
            if !trusts(client) { break }
        }
        return client
    }
}

/// An IPv4 or IPv6 address block.
public struct IPNetwork: Sendable, Equatable {
    let address: [UInt8]
    let prefixLength: Int

    /// An address (`10.0.0.1`, `::1`) or a block (`10.0.0.0/8`, `fd00::/8`).
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = Self.parse(String(parts[0])) else { return nil }
        let bits = address.bytes.count * 8
        if parts.count == 2 {
            guard parts[1].allSatisfy(\.isASCII), let length = Int(parts[1]), (0...bits).contains(length) else {
                return nil
            }
            prefixLength = length
        } else {
            prefixLength = bits
        }
        self.address = address.bytes
    }

    func contains(_ candidate: ParsedAddress) -> Bool {
        guard candidate.bytes.count == address.count else { return false }
        var remaining = prefixLength
        for (mine, theirs) in zip(address, candidate.bytes) where remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            guard mine & mask == theirs & mask else { return false }
            remaining -= 8
        }
        return true
    }

    /// A parsed address in network byte order; IPv4-mapped IPv6 addresses become IPv4.
    struct ParsedAddress: CustomStringConvertible {
        let bytes: [UInt8]

        var description: String {
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            let family = bytes.count == 4 ? AF_INET : AF_INET6
            _ = bytes.withUnsafeBytes { inet_ntop(family, $0.baseAddress, &buffer, socklen_t(buffer.count)) }
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    static func parse(_ text: String) -> ParsedAddress? {
        guard !text.isEmpty, text.utf8.count <= 45 else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return ParsedAddress(bytes: withUnsafeBytes(of: &v4) { Array($0) })
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes.prefix(10).allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
            return ParsedAddress(bytes: Array(bytes.suffix(4)))
        }
        return ParsedAddress(bytes: bytes)
    }
}
